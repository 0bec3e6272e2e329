package io.github.qalign.serve;

/**
 * Raw tokenization of a served model, as vLLM's {@code /tokenize}, {@code /detokenize} and text prompts of
 * {@code /v1/completions} and {@code /classify} need it (no chat template).
 */
public interface TextCodec {

    /**
     * Encodes text.
     *
     * @param text              the text
     * @param addSpecialTokens  whether the tokenizer adds its special tokens (BOS for Llama tokenizers)
     * @return the ids
     */
    int[] encode(String text, boolean addSpecialTokens);

    /**
     * Decodes ids.
     *
     * @param ids               the ids
     * @param skipSpecialTokens whether special tokens (BOS, EOS) are left out of the text
     * @return the text
     */
    String decode(int[] ids, boolean skipSpecialTokens);

    /**
     * Size of the vocabulary: valid ids are {@code [0, vocabSize())}.
     *
     * @return the vocabulary size
     */
    int vocabSize();
}
