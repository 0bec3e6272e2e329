package io.github.qalign.remote;

import io.github.qalign.model.ChatMessage;
import io.github.qalign.tokenizer.ChatCodec;
import io.github.qalign.tokenizer.HfChatCodec;

import java.util.List;
import java.util.Objects;

/**
 * Local tokenization: a {@link ChatCodec} (usually {@link HfChatCodec} over the model's own {@code tokenizer.json}
 * and chat template): prompts through {@link ChatCodec#encodePrompt(List)}, scored exchanges through
 * {@link ChatCodec#encodeExchange(List, String)}, completion text through {@link ChatCodec#decodeContinuation},
 * exactly as the in-process models do.
 */
final class LocalTextCodec implements TextCodec {

    private final ChatCodec codec;
    private final int vocabSize;
    private final boolean owns;

    LocalTextCodec(ChatCodec codec, int vocabSize, boolean owns) {
        this.codec = Objects.requireNonNull(codec, "codec");
        this.vocabSize = vocabSize;
        this.owns = owns;
    }

    @Override
    public int[] encode(List<ChatMessage> messages, boolean addGenerationPrompt) {
        if (addGenerationPrompt) {
            return codec.encodePrompt(messages);
        }
        ChatMessage last = messages.get(messages.size() - 1);
        if (messages.size() < 2 || !last.role().equals(ChatMessage.ASSISTANT)) {
            throw new IllegalArgumentException("an exchange to score ends with the assistant's message");
        }
        return codec.encodeExchange(messages.subList(0, messages.size() - 1), last.content());
    }

    @Override
    public String decodeContinuation(int[] context, int[] ids) {
        return codec.decodeContinuation(context, ids);
    }

    @Override
    public String decode(int[] ids) {
        return codec.decode(ids);
    }

    @Override
    public int vocabSize() {
        if (vocabSize > 0) {
            return vocabSize;
        }
        return codec instanceof HfChatCodec hf ? hf.tokenizer().vocabSize() : 0;
    }

    @Override
    public void close() {
        if (owns && codec instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the tokenizer failed", e);
            }
        }
    }
}
