/** Llama-family models from Hugging Face checkpoints on DJL/PyTorch. */
package io.github.qalign.djl;
