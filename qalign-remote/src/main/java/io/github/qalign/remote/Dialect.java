package io.github.qalign.remote;

/**
 * Which server speaks on the other side, and therefore which paths and JSON shapes are used.
 *
 * <table>
 *   <caption>Endpoints per dialect</caption>
 *   <tr><th>dialect</th><th>generation</th><th>reward</th><th>tokenizer fallback</th></tr>
 *   <tr><td>{@link #VLLM}</td><td>{@code POST /v1/completions} with a token-id {@code prompt},
 *       {@code return_token_ids}</td><td>{@code POST /classify}, {@code use_activation: false}</td>
 *       <td>{@code /tokenize}, {@code /detokenize}</td></tr>
 *   <tr><td>{@link #SGLANG}</td><td>{@code POST /generate} with {@code input_ids}, reading {@code output_ids}</td>
 *       <td>{@code POST /v1/classify} (vLLM's shape)</td><td>{@code /tokenize}, {@code /detokenize}</td></tr>
 *   <tr><td>{@link #LLAMA_CPP}</td><td>{@code POST /completion} with a token-id {@code prompt},
 *       {@code return_tokens}, {@code cache_prompt}</td><td>{@code POST /embedding} (server run with
 *       {@code --embeddings --pooling last}) and the checkpoint's score head ({@link ScoreHead})</td>
 *       <td>{@code /apply-template}, {@code /tokenize}, {@code /detokenize}</td></tr>
 * </table>
 */
public enum Dialect {
    /** vLLM's OpenAI-compatible server ({@code vllm serve}). */
    VLLM,
    /** SGLang's native runtime API ({@code python -m sglang.launch_server}). */
    SGLANG,
    /** llama.cpp's {@code llama-server}. */
    LLAMA_CPP
}
