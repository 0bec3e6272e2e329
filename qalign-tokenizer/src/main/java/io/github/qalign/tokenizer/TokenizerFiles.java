package io.github.qalign.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Bounded reads of the JSON side files of a tokenizer (sizes checked before anything is allocated). */
final class TokenizerFiles {

    /** Largest {@code tokenizer.json} accepted (the largest public ones, e.g. Gemma's, are about 35 MB). */
    static final long MAX_TOKENIZER_JSON_BYTES = 128L << 20;
    /** Largest {@code tokenizer_config.json} accepted (large added-token tables are a few MB). */
    static final long MAX_TOKENIZER_CONFIG_BYTES = 16L << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenizerFiles() {
    }

    /**
     * Reads a file that must hold a JSON object.
     *
     * @param file     the file
     * @param maxBytes the largest size accepted
     * @return the object
     * @throws TokenizerException if the file is too large, unreadable, not JSON or not an object
     */
    static JsonNode readObject(Path file, long maxBytes) {
        byte[] bytes = readBounded(file, maxBytes);
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new TokenizerException(file, "corrupt JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new TokenizerException(file, "cannot read: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new TokenizerException(file, "not a JSON object");
        }
        return node;
    }

    /**
     * Reads at most {@code maxBytes} bytes of a file, failing if it is longer (also when it grows while read).
     *
     * @param file     the file
     * @param maxBytes the largest size accepted
     * @return the bytes
     * @throws TokenizerException if the file is too large or unreadable
     */
    static byte[] readBounded(Path file, long maxBytes) {
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw new TokenizerException(file, "file is " + size + " bytes, more than the " + maxBytes
                        + " accepted for this kind of file");
            }
            try (InputStream in = Files.newInputStream(file)) {
                byte[] bytes = in.readNBytes((int) maxBytes + 1);
                if (bytes.length > maxBytes) {
                    throw new TokenizerException(file, "file grew past the " + maxBytes + " bytes accepted while read");
                }
                return bytes;
            }
        } catch (IOException e) {
            throw new TokenizerException(file, "cannot read: " + e.getMessage(), e);
        }
    }
}
