package io.github.qalign.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A Hugging Face {@code tokenizer.json} tokenizer (DJL's binding of the Rust {@code tokenizers} library) configured
 * for generation: no truncation (DJL's default silently cuts at 512 tokens), no padding, special tokens (BOS) only
 * when asked for.
 *
 * <p>Special-token strings that appear literally in the text (e.g. {@code <s>} or {@code <|eot_id|>} produced by a
 * chat template) are encoded as their single ids, as in {@code transformers}. Thread-safe; close it to free the
 * native tokenizer.
 */
public final class HfTokenizer implements AutoCloseable {

    private final Path file;
    private final HuggingFaceTokenizer tokenizer;
    private final Map<String, Integer> vocab;
    private final int vocabSize;
    private final TokenizerConfig config;

    private HfTokenizer(Path file, HuggingFaceTokenizer tokenizer, Map<String, Integer> vocab, int vocabSize,
                        TokenizerConfig config) {
        this.file = file;
        this.tokenizer = tokenizer;
        this.vocab = vocab;
        this.vocabSize = vocabSize;
        this.config = config;
    }

    /**
     * Opens a tokenizer.
     *
     * @param path a {@code tokenizer.json} file, or a directory containing one (then a sibling
     *             {@code tokenizer_config.json} supplies the BOS/EOS strings and the chat template)
     * @return the tokenizer (close it when done)
     * @throws TokenizerException if a file is missing, larger than accepted (128 MiB for {@code tokenizer.json},
     *                            16 MiB for {@code tokenizer_config.json}) or malformed
     */
    public static HfTokenizer open(Path path) {
        Path json = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
        if (!Files.isRegularFile(json)) {
            throw new TokenizerException(json, "missing tokenizer.json");
        }
        Path dir = json.toAbsolutePath().getParent();
        JsonNode root = TokenizerFiles.readObject(json, TokenizerFiles.MAX_TOKENIZER_JSON_BYTES);
        Map<String, Integer> vocab = new HashMap<>();
        JsonNode model = root.get("model");
        if (model == null || !model.isObject()) {
            throw new TokenizerException(json, "no 'model' object in tokenizer.json");
        }
        JsonNode v = model.get("vocab");
        if (v != null && v.isObject()) {
            for (Map.Entry<String, JsonNode> e : v.properties()) {
                vocab.put(e.getKey(), tokenId(json, e.getValue(), "model.vocab['" + e.getKey() + "']"));
            }
        } else if (v != null && v.isArray()) {
            for (int i = 0; i < v.size(); i++) {
                JsonNode piece = v.get(i);
                if (!piece.isArray() || piece.isEmpty() || !piece.get(0).isTextual()) {
                    throw new TokenizerException(json, "model.vocab[" + i + "] must be a [piece, score] array");
                }
                vocab.put(piece.get(0).asText(), i);
            }
        } else {
            throw new TokenizerException(json, "no 'model.vocab' in tokenizer.json");
        }
        JsonNode added = root.get("added_tokens");
        if (added != null && added.isArray()) {
            int i = 0;
            for (JsonNode t : added) {
                JsonNode content = t.get("content");
                if (content == null || !content.isTextual()) {
                    throw new TokenizerException(json, "added_tokens[" + i + "] has no string 'content'");
                }
                vocab.put(content.asText(), tokenId(json, t.get("id"), "added_tokens[" + i + "].id"));
                i++;
            }
        }
        int size = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        TokenizerConfig config = TokenizerConfig.read(dir.resolve(TokenizerConfig.FILE_NAME)).orElse(null);
        offline();
        HuggingFaceTokenizer hf;
        try {
            hf = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(json)
                    .optAddSpecialTokens(true)
                    .optTruncation(false)
                    .optPadding(false)
                    .build();
        } catch (IOException | RuntimeException e) {
            throw new TokenizerException(json, "cannot load tokenizer: " + e.getMessage(), e);
        }
        return new HfTokenizer(json, hf, Collections.unmodifiableMap(vocab), size, config);
    }

    private static int tokenId(Path json, JsonNode id, String field) {
        if (id == null || !id.canConvertToInt() || !id.isIntegralNumber() || id.intValue() < 0) {
            throw new TokenizerException(json, field + " must be a non-negative int token id");
        }
        return id.intValue();
    }

    /**
     * DJL's offline switches (unless the user set them): the tokenizers native library is loaded from its jar,
     * nothing is downloaded and no telemetry is sent.
     */
    private static void offline() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
    }

    /**
     * Encodes text. An unpaired UTF-16 surrogate (not representable in UTF-8) is encoded as one U+FFFD.
     *
     * @param text             the text
     * @param addSpecialTokens whether to add the post-processor's special tokens (BOS for Llama)
     * @return token ids
     */
    public int[] encode(String text, boolean addSpecialTokens) {
        Objects.requireNonNull(text, "text");
        Encoding enc = tokenizer.encode(wellFormed(text), addSpecialTokens, false);
        long[] ids = enc.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    /** Replaces unpaired surrogates by U+FFFD (the JNI transfer would otherwise turn each into three). */
    static String wellFormed(String text) {
        int n = text.length();
        StringBuilder sb = null;
        for (int i = 0; i < n; i++) {
            char ch = text.charAt(i);
            boolean lone;
            if (Character.isHighSurrogate(ch)) {
                lone = i + 1 >= n || !Character.isLowSurrogate(text.charAt(i + 1));
                if (!lone) {
                    if (sb != null) {
                        sb.append(ch).append(text.charAt(i + 1));
                    }
                    i++;
                    continue;
                }
            } else {
                lone = Character.isLowSurrogate(ch);
            }
            if (lone && sb == null) {
                sb = new StringBuilder(n).append(text, 0, i);
            }
            if (sb != null) {
                sb.append(lone ? '\uFFFD' : ch);
            }
        }
        return sb == null ? text : sb.toString();
    }

    /**
     * Decodes ids to text with the tokenizer's decoder (for Llama: byte fallback and removal of one leading space).
     *
     * @param ids               token ids
     * @param skipSpecialTokens whether to drop special tokens (BOS, EOS, ...)
     * @return the text
     * @throws IllegalArgumentException if an id is outside {@code [0, vocabSize())}
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new IllegalArgumentException("token id " + ids[i] + " at index " + i
                        + " is outside the vocabulary [0, " + vocabSize + ") of " + file);
            }
            l[i] = ids[i];
        }
        return tokenizer.decode(l, skipSpecialTokens);
    }

    /**
     * The text that {@code ids} add after {@code prefix}: {@code decode(prefix + ids)} minus {@code decode(prefix)}.
     * Unlike {@code decode(ids)}, this keeps a leading space of the continuation (the Llama decoder strips the first
     * space of a decoded sequence), so prompt text + continuation text reproduces the full decoded text exactly, as
     * llama2.c prints it.
     *
     * @param prefix            the ids before (e.g. BOS + prompt)
     * @param ids               the continuation ids
     * @param skipSpecialTokens whether to drop special tokens
     * @return the continuation text
     */
    public String decodeContinuation(int[] prefix, int[] ids, boolean skipSpecialTokens) {
        int[] all = new int[prefix.length + ids.length];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        System.arraycopy(ids, 0, all, prefix.length, ids.length);
        String full = decode(all, skipSpecialTokens);
        String head = decode(prefix, skipSpecialTokens);
        if (full.startsWith(head)) {
            return full.substring(head.length());
        }
        return decode(ids, skipSpecialTokens);
    }

    /**
     * The id of a token string (vocabulary or added token).
     *
     * @param token the token as it appears in tokenizer.json
     * @return its id, or empty
     */
    public OptionalInt tokenId(String token) {
        Integer id = vocab.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /**
     * Number of ids (largest id + 1, counting added tokens).
     *
     * @return the vocabulary size
     */
    public int vocabSize() {
        return vocabSize;
    }

    /**
     * The BOS token string of {@code tokenizer_config.json}.
     *
     * @return the string, or null when there is no tokenizer config or it has none
     */
    public String bosToken() {
        return config == null ? null : config.bosToken();
    }

    /**
     * The EOS token string of {@code tokenizer_config.json}.
     *
     * @return the string, or null when there is no tokenizer config or it has none
     */
    public String eosToken() {
        return config == null ? null : config.eosToken();
    }

    /**
     * The chat template of the sibling {@code tokenizer_config.json}, if any.
     *
     * @return the template or empty
     */
    public Optional<ChatTemplate> chatTemplate() {
        return config == null ? Optional.empty() : config.chatTemplate();
    }

    /**
     * The sibling {@code tokenizer_config.json}, as read when this tokenizer was opened.
     *
     * @return the config, or empty when there is none
     */
    public Optional<TokenizerConfig> config() {
        return Optional.ofNullable(config);
    }

    /**
     * The tokenizer.json file this tokenizer was read from.
     *
     * @return the path
     */
    public Path path() {
        return file;
    }

    /** Frees the native tokenizer. */
    @Override
    public void close() {
        tokenizer.close();
    }
}
