package io.github.qalign.tokenizer;

/**
 * Text ↔ ids for a model: how a user prompt (and, for reward models, a user/assistant exchange) is rendered and
 * tokenized, and how ids are decoded. {@link HfChatCodec} implements it with a Hugging Face tokenizer and chat template; tests may plug in
 * simpler codecs.
 */
public interface ChatCodec {

    /**
     * The model's input ids for a user prompt: the chat template with a generation prompt when the model has one,
     * else BOS (if any) followed by the encoded text.
     *
     * @param userText the prompt text
     * @return non-empty ids
     */
    int[] encodePrompt(String userText);

    /**
     * The ids of a full exchange (user prompt, then the assistant's completion), as a reward model reads it.
     *
     * @param userText      the prompt text
     * @param assistantText the completion text
     * @return non-empty ids
     */
    int[] encodeExchange(String userText, String assistantText);

    /**
     * Decodes ids to text without special tokens.
     *
     * @param ids token ids
     * @return the text
     */
    String decode(int[] ids);
}
