package io.github.qalign.remote;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * What a remote model needs from a Hugging Face checkpoint folder besides its tokenizer: the end-of-sequence ids
 * (the union of {@code config.json}'s and {@code generation_config.json}'s {@code eos_token_id}, each a number or a
 * list such as Llama 3.1's {@code [128001, 128008, 128009]}, in that order — the set the in-process runtime stops
 * on), the BOS id and the vocabulary size
 * ({@code config.json}). Both files are optional (a folder holding only tokenizer files is fine); each is read with a
 * 1 MiB cap.
 *
 * @param eosTokenIds the EOS ids, possibly empty when neither file names one
 * @param bosTokenId  the BOS id, or -1
 * @param vocabSize   {@code config.json}'s {@code vocab_size}, or 0 when unknown
 */
public record ModelFiles(int[] eosTokenIds, int bosTokenId, int vocabSize) {

    static final long MAX_CONFIG_BYTES = 1L << 20;

    /**
     * Validates and copies the components.
     *
     * @param eosTokenIds see the record description
     * @param bosTokenId see the record description
     * @param vocabSize see the record description
     */
    public ModelFiles {
        eosTokenIds = Objects.requireNonNull(eosTokenIds, "eosTokenIds").clone();
        for (int id : eosTokenIds) {
            if (id < 0) {
                throw new IllegalArgumentException("EOS ids must be >= 0, got " + id);
            }
        }
        if (vocabSize < 0) {
            throw new IllegalArgumentException("vocabSize must be >= 0, got " + vocabSize);
        }
    }

    /**
     * The EOS ids.
     *
     * @return a copy of the EOS ids
     */
    @Override
    public int[] eosTokenIds() {
        return eosTokenIds.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelFiles m && Arrays.equals(eosTokenIds, m.eosTokenIds) && bosTokenId == m.bosTokenId
                && vocabSize == m.vocabSize;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(eosTokenIds) * 31 + bosTokenId * 17 + vocabSize;
    }

    @Override
    public String toString() {
        return "ModelFiles[eosTokenIds=" + Arrays.toString(eosTokenIds) + ", bosTokenId=" + bosTokenId
                + ", vocabSize=" + vocabSize + "]";
    }

    /**
     * Reads a checkpoint folder (or a folder of just its tokenizer and config files).
     *
     * @param dir the folder
     * @return what it says; empty values for absent files
     * @throws IllegalArgumentException naming the file and field when a file is malformed or too large
     */
    public static ModelFiles read(Path dir) {
        Objects.requireNonNull(dir, "dir");
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " is not a directory");
        }
        JsonNode config = readJson(dir.resolve("config.json"));
        JsonNode gen = readJson(dir.resolve("generation_config.json"));
        Set<Integer> eos = new LinkedHashSet<>();
        if (config != null && config.hasNonNull("eos_token_id")) {
            ids(dir.resolve("config.json"), config.get("eos_token_id"), eos);
        }
        if (gen != null && gen.hasNonNull("eos_token_id")) {
            ids(dir.resolve("generation_config.json"), gen.get("eos_token_id"), eos);
        }
        int bos = -1;
        int vocab = 0;
        if (config != null) {
            if (config.hasNonNull("bos_token_id")) {
                bos = intField(dir.resolve("config.json"), config.get("bos_token_id"), "bos_token_id");
            }
            if (config.hasNonNull("vocab_size")) {
                vocab = intField(dir.resolve("config.json"), config.get("vocab_size"), "vocab_size");
            }
        }
        return new ModelFiles(eos.stream().mapToInt(Integer::intValue).toArray(), bos, vocab);
    }

    private static void ids(Path file, JsonNode n, Set<Integer> out) {
        if (n.isArray()) {
            for (JsonNode e : n) {
                out.add(intField(file, e, "eos_token_id"));
            }
        } else {
            out.add(intField(file, n, "eos_token_id"));
        }
    }

    private static int intField(Path file, JsonNode n, String field) {
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.intValue() < 0) {
            throw new IllegalArgumentException(file + ": '" + field + "' must be a non-negative integer, got " + n);
        }
        return n.intValue();
    }

    static JsonNode readJson(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        return readJsonCapped(file, MAX_CONFIG_BYTES);
    }

    static JsonNode readJsonCapped(Path file, long max) {
        try {
            if (Files.size(file) > max) {
                throw new IllegalArgumentException(file + " is larger than the " + max + " bytes accepted");
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes((int) max + 1);
            }
            if (bytes.length > max) {
                throw new IllegalArgumentException(file + " grew past the " + max + " bytes accepted");
            }
            JsonNode n = HttpJsonClient.JSON.readTree(bytes);
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException(file + " is not a JSON object");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
