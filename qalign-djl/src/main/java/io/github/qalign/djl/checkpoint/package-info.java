/**
 * Hugging Face checkpoint access: a memory-mapping safetensors reader and writer that handles files and shards
 * larger than 2 GiB, {@code config.json} parsing into {@link io.github.qalign.djl.LlamaConfig}, and
 * {@link io.github.qalign.djl.checkpoint.HfCheckpoint}, which ties a checkpoint directory (single file or sharded
 * weights, tokenizer, chat template) together with shape validation against the config.
 *
 * <p>Every failure on bad input is a {@link io.github.qalign.djl.checkpoint.CheckpointException} naming the file
 * and, where relevant, the tensor or field.
 */
package io.github.qalign.djl.checkpoint;
