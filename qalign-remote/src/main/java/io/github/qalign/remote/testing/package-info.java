/**
 * Test doubles shipped for users: {@link io.github.qalign.remote.testing.ModelServer}, a small loopback HTTP server
 * that serves any {@link io.github.qalign.model.LanguageModel} and {@link io.github.qalign.model.RewardModel} in vLLM's
 * request and response shapes, so code using the remote models can be tested end to end without a GPU server.
 */
package io.github.qalign.remote.testing;
