/**
 * The Llama runtime on DJL's NDArray API: {@link io.github.qalign.djl.llama.LlamaModel} (forward pass, preallocated
 * slot KV cache, batched prefill/decode, autograd-friendly full forward), the sampling kernel
 * {@link io.github.qalign.djl.llama.TokenSampler}, the prefix-reusing slot pool
 * {@link io.github.qalign.djl.llama.PrefixKvPool}, and the adapters
 * {@link io.github.qalign.djl.llama.LlamaLanguageModel} (policy) and
 * {@link io.github.qalign.djl.llama.LlamaRewardModel} (Bradley-Terry reward model).
 */
package io.github.qalign.djl.llama;
