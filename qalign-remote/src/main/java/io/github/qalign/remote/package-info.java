/**
 * Policy and reward models served by OpenAI-compatible model servers — vLLM, SGLang and llama.cpp's
 * {@code llama-server} — alone or as a fleet of endpoints.
 *
 * <p>{@link io.github.qalign.remote.RemoteLanguageModel} sends token ids (the prompt's ids followed by the kept
 * completion prefix), never text, so a QAlign proposal continues exactly the state's prefix and the server's prefix
 * cache reuses it; each request carries its own seed. {@link io.github.qalign.remote.RemoteRewardModel} reads raw
 * Bradley–Terry logits from {@code /classify} or applies a checkpoint's score head
 * ({@link io.github.qalign.remote.ScoreHead}) to a pooled hidden state. Networking ({@link
 * io.github.qalign.remote.RemoteOptions}): bounded concurrency per endpoint, whole-call deadlines, bounded bodies,
 * retries with backoff and jitter, endpoint health ({@link io.github.qalign.remote.Fleet}); every response is
 * validated and a failure is one {@link io.github.qalign.remote.RemoteException} naming the endpoint.
 */
package io.github.qalign.remote;
