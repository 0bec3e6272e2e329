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

    public LlamaConfig {
        Objects.requireNonNull(architecture, "architecture");
        eosTokenIds = eosTokenIds == null ? new int[0] : eosTokenIds.clone();
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("num_key_value_heads", numKeyValueHeads);
        positive("head_dim", headDim);
        positive("max_position_embeddings", maxPositionEmbeddings);
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads (" + numAttentionHeads
                    + ") must be a multiple of num_key_value_heads (" + numKeyValueHeads + ")");
        }
        if (!(rmsNormEps > 0)) {
            throw new IllegalArgumentException("rms_norm_eps must be > 0, got " + rmsNormEps);
        }
        if (!(ropeTheta > 0)) {
            throw new IllegalArgumentException("rope_theta must be > 0, got " + ropeTheta);
        }
    }

    private static void positive(String field, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(field + " must be > 0, got " + v);
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
                    || originalMaxPositionEmbeddings <= 0) {
                throw new IllegalArgumentException("invalid llama3 rope_scaling: factor=" + factor
                        + ", low_freq_factor=" + lowFreqFactor + ", high_freq_factor=" + highFreqFactor
                        + ", original_max_position_embeddings=" + originalMaxPositionEmbeddings);
            }
        }
    }
}
