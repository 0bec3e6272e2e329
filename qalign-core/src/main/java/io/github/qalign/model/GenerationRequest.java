package io.github.qalign.model;

import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Continue {@code prefix} (a completion prefix, possibly empty) after {@code prompt}, drawing every random number of
 * this continuation from a generator built from {@code seed}.
 *
 * <p>The seed makes a request self-contained: a backend draws this request's tokens only from
 * {@link #newRandom()}, so its output depends on (model, prompt, prefix, sampling configuration, seed) and never on
 * which other requests share the batch, their order, or the thread that ran it. Remote backends pass the seed to the
 * server (vLLM's and llama.cpp's per-request {@code seed}). Samplers derive request seeds from their own per-chain
 * streams.
 *
 * @param prompt the prompt
 * @param prefix completion ids to keep; the model samples the continuation after them
 * @param seed   the seed of this request's random stream
 */
public record GenerationRequest(Prompt prompt, TokenIds prefix, long seed) {
    /**
     * Validates the components.
     *
     * @param prompt see the record description
     * @param prefix see the record description
     * @param seed   see the record description
     */
    public GenerationRequest {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(prefix, "prefix");
    }

    /**
     * A fresh sample: empty prefix.
     *
     * @param prompt the prompt
     * @param seed   the seed of the request's random stream
     * @return a request with an empty prefix
     */
    public static GenerationRequest fresh(Prompt prompt, long seed) {
        return new GenerationRequest(prompt, TokenIds.empty(), seed);
    }

    /**
     * A new generator for this request's draws: {@code new SplittableRandom(seed)}. Every in-process backend uses
     * exactly this stream, one {@code nextDouble()} per sampled token in order, so two backends with the same
     * next-token distributions sample the same continuation for the same request.
     *
     * @return a new generator seeded with {@link #seed()}
     */
    public RandomGenerator newRandom() {
        return new SplittableRandom(seed);
    }
}
