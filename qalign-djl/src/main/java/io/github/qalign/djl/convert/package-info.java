/**
 * Conversion of Karpathy's llama2.c checkpoints and tokenizers into Hugging Face Llama checkpoint directories
 * ({@link io.github.qalign.djl.convert.Llama2cConverter}), used to build the embedded stories260K model.
 */
package io.github.qalign.djl.convert;
