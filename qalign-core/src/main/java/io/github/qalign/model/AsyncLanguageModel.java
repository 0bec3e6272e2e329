package io.github.qalign.model;

import java.util.concurrent.CompletableFuture;

/**
 * The asynchronous form of {@link LanguageModel}: one request in, one future out. Samplers submit a chain's next
 * request as soon as its previous one is done, so a backend that batches internally (continuous batching on a GPU, a
 * pool of remote servers) keeps its batch full instead of waiting for the slowest request of a lockstep step.
 *
 * <p>The contract of {@link LanguageModel} holds per request: the generation continues the request's prefix, draws
 * every random number from the request's own seed ({@link GenerationRequest#newRandom()} or the server-side seed),
 * respects the total cap, and is non-empty unless the prefix reached the cap. The future may complete on any thread;
 * an exception completes it exceptionally. {@link BatchingLanguageModel} turns any batch {@link LanguageModel} into
 * one.
 */
public interface AsyncLanguageModel {

    /**
     * Samples a continuation of one request.
     *
     * @param request the prompt and completion prefix
     * @param config  the sampling configuration
     * @return the generation, when done
     */
    CompletableFuture<Generation> generate(GenerationRequest request, SamplingConfig config);

    /**
     * Number of parameters, for FLOPs estimates; 0 if unknown.
     *
     * @return number of parameters; 0 if unknown
     */
    default long parameterCount() {
        return 0;
    }
}
