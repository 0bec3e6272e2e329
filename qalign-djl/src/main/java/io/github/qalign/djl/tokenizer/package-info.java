/**
 * Tokenization for Hugging Face checkpoints: {@link io.github.qalign.djl.tokenizer.HfTokenizer} wraps DJL's
 * binding of the Rust {@code tokenizers} library (with truncation and padding switched off), and
 * {@link io.github.qalign.djl.tokenizer.ChatTemplate} renders {@code tokenizer_config.json} chat templates with
 * Jinjava the way {@code transformers} does.
 */
package io.github.qalign.djl.tokenizer;
