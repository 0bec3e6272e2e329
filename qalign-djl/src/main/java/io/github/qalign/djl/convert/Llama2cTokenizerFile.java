package io.github.qalign.djl.convert;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A llama2.c tokenizer file ({@code tokenizer.bin}): int32 {@code max_token_length}, then per id a float32 score,
 * an int32 byte length and the piece's bytes. Ids 0, 1, 2 are {@code <unk>}, BOS and EOS, ids 3..258 the byte
 * fallback pieces {@code <0x00>}..{@code <0xFF>}; pieces contain raw spaces.
 *
 * @param maxTokenLength the longest piece in bytes
 * @param pieces         piece bytes by id
 * @param scores         merge scores by id (higher merges first)
 */
public record Llama2cTokenizerFile(int maxTokenLength, byte[][] pieces, float[] scores) {

    /**
     * Reads a tokenizer file for a known vocabulary size.
     *
     * @param file      the {@code .bin}
     * @param vocabSize number of entries (from the model header)
     * @return the tokenizer
     * @throws IllegalArgumentException if the file is malformed or has trailing bytes
     * @throws IOException              on a read error
     */
    public static Llama2cTokenizerFile read(Path file, int vocabSize) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        try {
            int max = b.getInt();
            byte[][] pieces = new byte[vocabSize][];
            float[] scores = new float[vocabSize];
            for (int i = 0; i < vocabSize; i++) {
                scores[i] = b.getFloat();
                int len = b.getInt();
                if (len < 0 || len > max) {
                    throw new IllegalArgumentException(file + ": piece " + i + " has invalid length " + len);
                }
                pieces[i] = new byte[len];
                b.get(pieces[i]);
            }
            if (b.hasRemaining()) {
                throw new IllegalArgumentException(file + ": " + b.remaining() + " trailing bytes after "
                        + vocabSize + " pieces");
            }
            return new Llama2cTokenizerFile(max, pieces, scores);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException(file + ": truncated tokenizer file", e);
        }
    }
}
