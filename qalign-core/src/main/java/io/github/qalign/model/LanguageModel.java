package io.github.qalign.model;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A policy language model, batch-first.
 *
 * <p>One call continues many requests (different prompts, different prefix lengths) and should run them as one
 * batched computation. Implementations that keep KV state may reuse it for any request whose prompt+prefix they have
 * computed before; callers stay stateless. Every random draw must come from the {@code rng} argument, consumed in a
 * deterministic order, so that the same seed gives the same output.
 *
 * <p>Contract, checked by the samplers (a violation raises {@link ModelException}): the result list has one
 * {@link Generation} per request, in order; each generation's completion starts with the request's prefix, has
 * {@code prefixLength == prefix.length()}, is no longer than {@link SamplingConfig#maxCompletionTokens()}, and its
 * continuation is non-empty unless the prefix already reached the cap.
 */
public interface LanguageModel {

    /**
     * Samples a continuation for every request.
     *
     * @param requests prompts and completion prefixes; not empty
     * @param config   sampling configuration (temperature, total length cap, ...)
     * @param rng      source of every random draw
     * @return one generation per request, in request order
     */
    List<Generation> generate(List<GenerationRequest> requests, SamplingConfig config, RandomGenerator rng);

    /**
     * Encodes a user prompt as this model's input ids (chat template applied where the model has one).
     *
     * @param text the prompt text
     * @return the prompt with its ids
     */
    Prompt prompt(String text);

    /**
     * Decodes completion ids to text (special tokens not rendered).
     *
     * @param completion the completion ids
     * @return the decoded text
     */
    String decode(TokenIds completion);

    /**
     * Number of parameters, for FLOPs estimates ({@code 2 * params * tokens}); 0 if unknown.
     *
     * @return number of parameters, for FLOPs estimates ({@code 2 * params * tokens}); 0 if unknown
     */
    default long parameterCount() {
        return 0;
    }
}
