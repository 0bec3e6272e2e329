/**
 * Tokenization and chat templates for Hugging Face models, with no deep-learning engine:
 * {@link io.github.qalign.tokenizer.HfTokenizer} wraps DJL's binding of the Rust {@code tokenizers} library (with
 * truncation and padding switched off), {@link io.github.qalign.tokenizer.TokenizerConfig} reads
 * {@code tokenizer_config.json}, {@link io.github.qalign.tokenizer.ChatTemplate} renders its {@code chat_template}
 * with Jinjava the way {@code transformers} does, and {@link io.github.qalign.tokenizer.ChatCodec} /
 * {@link io.github.qalign.tokenizer.HfChatCodec} turn conversations into model input ids and ids back into text.
 * Shared by the in-process runtime (qalign-djl) and remote backends; nothing here loads PyTorch.
 */
package io.github.qalign.tokenizer;
