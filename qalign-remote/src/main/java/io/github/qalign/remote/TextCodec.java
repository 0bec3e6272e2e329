package io.github.qalign.remote;

import io.github.qalign.model.ChatMessage;

import java.util.List;

/** Text and conversations to ids and back, locally or through the server. */
interface TextCodec extends AutoCloseable {

    /**
     * The ids of a conversation.
     *
     * @param messages            the conversation
     * @param addGenerationPrompt whether to append the assistant header (a policy prompt) or not (a scored exchange)
     * @return non-empty ids
     */
    int[] encode(List<ChatMessage> messages, boolean addGenerationPrompt);

    /**
     * Decodes ids without special tokens.
     *
     * @param ids the ids
     * @return the text
     */
    String decode(int[] ids);

    /**
     * The text {@code ids} add after {@code context} (a completion after its prompt), special tokens skipped.
     *
     * @param context the ids before
     * @param ids     the continuation
     * @return the text
     */
    default String decodeContinuation(int[] context, int[] ids) {
        return decode(ids);
    }

    /**
     * The vocabulary size, or 0 when unknown.
     *
     * @return the vocabulary size, or 0
     */
    int vocabSize();

    @Override
    void close();
}
