package io.github.qalign.djl;

import java.util.Arrays;
import java.util.Objects;

/**
 * The architecture hyper-parameters of a Llama-family checkpoint (Llama 2, 3, 3.1, 3.2; Tulu 3; the converted
 * stories260K), as read from a Hugging Face {@code config.json} (plus {@code generation_config.json} for eos ids).
 *
 * @param architecture            {@code LlamaForCausalLM} or {@code LlamaForSequenceClassification}
 * @param vocabSize               vocabulary size
 * @param hiddenSize              model width
 * @param intermediateSize        SwiGLU hidden width
 * @param numHiddenLayers         number of decoder layers
 * @param numAttentionHeads       query heads
 * @param numKeyValueHeads        key/value heads (grouped-query attention when fewer than query heads)
 * @param headDim                 per-head width ({@code hidden_size / num_attention_heads} unless given)
 * @param maxPositionEmbeddings   context length
 * @param rmsNormEps              RMSNorm epsilon
 * @param ropeTheta               RoPE base
 * @param ropeScaling             RoPE scaling ({@code rope_scaling} of type "llama3"), or null
 * @param tieWordEmbeddings       whether the LM head shares the embedding matrix
 * @param numLabels               score head outputs for sequence classification (1 for a Bradley-Terry RM)
 * @param bosTokenId              BOS id, or -1
 * @param eosTokenIds             every id that ends generation (Llama 3 has several); may be empty
 * @param padTokenId              pad id, or -1
 *
 * <p>Bounds: a config comes from an untrusted model folder, so every size is capped before anything is allocated
 * from it. The caps are generous multiples of the largest Llama (Llama 3.1 405B: vocab 128,256, hidden 16,384,
 * intermediate 53,248, 126 layers, 128 heads / 8 kv heads, head_dim 128, context 131,072): see the {@code MAX_}
 * constants. Floating-point values must be finite ({@code 1e400} in a JSON file parses as infinity and is
 * rejected).
 */
public record LlamaConfig(String architecture, int vocabSize, int hiddenSize, int intermediateSize,
                          int numHiddenLayers, int numAttentionHeads, int numKeyValueHeads, int headDim,
                          int maxPositionEmbeddings, double rmsNormEps, double ropeTheta, RopeScaling ropeScaling,
                          boolean tieWordEmbeddings, int numLabels, int bosTokenId, int[] eosTokenIds,
                          int padTokenId) {

    /** Causal-LM architecture name. */
    public static final String CAUSAL_LM = "LlamaForCausalLM";
    /** Sequence-classification (reward model) architecture name. */
    public static final String SEQUENCE_CLASSIFICATION = "LlamaForSequenceClassification";

    /** Cap on {@code vocab_size}: 2^21 = 2,097,152 (16x Llama 3's 128,256; 8x Gemma's 262,144). */
    public static final int MAX_VOCAB_SIZE = 1 << 21;
    /** Cap on {@code hidden_size}: 65,536 (4x Llama 3.1 405B's 16,384). */
    public static final int MAX_HIDDEN_SIZE = 1 << 16;
    /** Cap on {@code intermediate_size}: 262,144 (about 5x Llama 3.1 405B's 53,248). */
    public static final int MAX_INTERMEDIATE_SIZE = 1 << 18;
    /** Cap on {@code num_hidden_layers}: 1,024 (8x Llama 3.1 405B's 126). */
    public static final int MAX_LAYERS = 1024;
    /** Cap on {@code num_attention_heads} and {@code num_key_value_heads}: 1,024 (8x Llama 3.1 405B's 128). */
    public static final int MAX_HEADS = 1024;
    /** Cap on {@code head_dim}: 1,024 (8x Llama's 128). */
    public static final int MAX_HEAD_DIM = 1024;
    /**
     * Cap on {@code max_position_embeddings}: 2^27 = 134,217,728 (1,024x Llama 3.1's 131,072). Nothing is sized
     * from this value: the RoPE table and the KV cache are sized to the context actually used.
     */
    public static final int MAX_POSITION_EMBEDDINGS = 1 << 27;
    /** Cap on {@code num_labels} (the score head's rows): 65,536. */
    public static final int MAX_LABELS = 1 << 16;

    public LlamaConfig {
        Objects.requireNonNull(architecture, "architecture");
        eosTokenIds = eosTokenIds == null ? new int[0] : eosTokenIds.clone();
        bounded("vocab_size", vocabSize, MAX_VOCAB_SIZE);
        bounded("hidden_size", hiddenSize, MAX_HIDDEN_SIZE);
        bounded("intermediate_size", intermediateSize, MAX_INTERMEDIATE_SIZE);
        bounded("num_hidden_layers", numHiddenLayers, MAX_LAYERS);
        bounded("num_attention_heads", numAttentionHeads, MAX_HEADS);
        bounded("num_key_value_heads", numKeyValueHeads, MAX_HEADS);
        bounded("head_dim", headDim, MAX_HEAD_DIM);
        bounded("max_position_embeddings", maxPositionEmbeddings, MAX_POSITION_EMBEDDINGS);
        if (numLabels < 0 || numLabels > MAX_LABELS) {
            throw new IllegalArgumentException("num_labels must be in [0, " + MAX_LABELS + "], got " + numLabels);
        }
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads (" + numAttentionHeads
                    + ") must be a multiple of num_key_value_heads (" + numKeyValueHeads + ")");
        }
        if (!(rmsNormEps > 0) || !(rmsNormEps < 1)) {
            throw new IllegalArgumentException("rms_norm_eps must be finite and in (0, 1), got " + rmsNormEps);
        }
        if (!(ropeTheta > 0) || Double.isInfinite(ropeTheta)) {
            throw new IllegalArgumentException("rope_theta must be finite and > 0, got " + ropeTheta);
        }
    }

    private static void bounded(String field, int v, int max) {
        if (v <= 0 || v > max) {
            throw new IllegalArgumentException(field + " must be in [1, " + max + "], got " + v);
        }
    }

    /** Whether this is a sequence-classification (reward) model. */
    public boolean isSequenceClassification() {
        return SEQUENCE_CLASSIFICATION.equals(architecture);
    }

    /** Query heads per key/value head. */
    public int groupSize() {
        return numAttentionHeads / numKeyValueHeads;
    }

    /** The eos ids (a copy). */
    @Override
    public int[] eosTokenIds() {
        return eosTokenIds.clone();
    }

    /** Whether {@code id} ends generation. */
    public boolean isEos(int id) {
        for (int e : eosTokenIds) {
            if (e == id) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LlamaConfig c && architecture.equals(c.architecture) && vocabSize == c.vocabSize
                && hiddenSize == c.hiddenSize && intermediateSize == c.intermediateSize
                && numHiddenLayers == c.numHiddenLayers && numAttentionHeads == c.numAttentionHeads
                && numKeyValueHeads == c.numKeyValueHeads && headDim == c.headDim
                && maxPositionEmbeddings == c.maxPositionEmbeddings && rmsNormEps == c.rmsNormEps
                && ropeTheta == c.ropeTheta && Objects.equals(ropeScaling, c.ropeScaling)
                && tieWordEmbeddings == c.tieWordEmbeddings && numLabels == c.numLabels
                && bosTokenId == c.bosTokenId && Arrays.equals(eosTokenIds, c.eosTokenIds)
                && padTokenId == c.padTokenId;
    }

    @Override
    public int hashCode() {
        return Objects.hash(architecture, vocabSize, hiddenSize, numHiddenLayers, Arrays.hashCode(eosTokenIds));
    }

    @Override
    public String toString() {
        return "LlamaConfig[" + architecture + ", vocab=" + vocabSize + ", hidden=" + hiddenSize + ", inter="
                + intermediateSize + ", layers=" + numHiddenLayers + ", heads=" + numAttentionHeads + "/"
                + numKeyValueHeads + ", headDim=" + headDim + ", ctx=" + maxPositionEmbeddings + ", eps="
                + rmsNormEps + ", theta=" + ropeTheta + ", ropeScaling=" + ropeScaling + ", tied="
                + tieWordEmbeddings + ", labels=" + numLabels + ", bos=" + bosTokenId + ", eos="
                + Arrays.toString(eosTokenIds) + ", pad=" + padTokenId + "]";
    }

    /**
     * Llama 3 RoPE frequency scaling ({@code rope_scaling.rope_type == "llama3"}).
     *
     * @param factor                        scaling factor (8 for Llama 3.1)
     * @param lowFreqFactor                 low-frequency factor (1)
     * @param highFreqFactor                high-frequency factor (4)
     * @param originalMaxPositionEmbeddings the pre-extension context (8192)
     */
    public record RopeScaling(double factor, double lowFreqFactor, double highFreqFactor,
                              int originalMaxPositionEmbeddings) {
        public RopeScaling {
            if (!(factor > 0) || !(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor)
                    || Double.isInfinite(factor) || Double.isInfinite(highFreqFactor)
                    || originalMaxPositionEmbeddings <= 0 || originalMaxPositionEmbeddings > MAX_POSITION_EMBEDDINGS) {
                throw new IllegalArgumentException("invalid llama3 rope_scaling: factor=" + factor
                        + ", low_freq_factor=" + lowFreqFactor + ", high_freq_factor=" + highFreqFactor
                        + ", original_max_position_embeddings=" + originalMaxPositionEmbeddings);
            }
        }
    }
}
