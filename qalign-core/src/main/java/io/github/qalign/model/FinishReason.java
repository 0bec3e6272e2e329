package io.github.qalign.model;

/** Why a generation stopped. */
public enum FinishReason {
    /** The model emitted one of its end-of-sequence ids; the id is kept as the last completion token. */
    EOS,
    /** The total completion length reached {@link SamplingConfig#maxCompletionTokens()}. */
    LENGTH
}
