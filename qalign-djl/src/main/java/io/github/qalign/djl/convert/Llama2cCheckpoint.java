package io.github.qalign.djl.convert;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A llama2.c checkpoint in the legacy format of {@code run.c}: seven little-endian int32 ({@code dim, hidden_dim,
 * n_layers, n_heads, n_kv_heads, vocab_size, seq_len}; a negative vocab size means the classifier is not shared with
 * the embedding), then float32 tensors {@code tok_emb, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final,
 * freq_cis_real, freq_cis_imag} (and {@code wcls} when unshared). Linear weights are stored [out, in] per layer.
 *
 * @param dim          model width
 * @param hiddenDim    FFN width
 * @param nLayers      layers
 * @param nHeads       query heads
 * @param nKvHeads     key/value heads
 * @param vocabSize    vocabulary size (positive)
 * @param seqLen       context length
 * @param sharedClassifier whether the output classifier is the embedding
 * @param tokEmb       [vocab, dim]
 * @param rmsAtt       [layers, dim]
 * @param wq           [layers, dim, dim]
 * @param wk           [layers, kvDim, dim]
 * @param wv           [layers, kvDim, dim]
 * @param wo           [layers, dim, dim]
 * @param rmsFfn       [layers, dim]
 * @param w1           [layers, hidden, dim]
 * @param w2           [layers, dim, hidden]
 * @param w3           [layers, hidden, dim]
 * @param rmsFinal     [dim]
 * @param freqCisReal  [seqLen, headSize/2]
 * @param freqCisImag  [seqLen, headSize/2]
 * @param wcls         [vocab, dim] or null when shared
 */
public record Llama2cCheckpoint(int dim, int hiddenDim, int nLayers, int nHeads, int nKvHeads, int vocabSize,
                                int seqLen, boolean sharedClassifier, float[] tokEmb, float[] rmsAtt, float[] wq,
                                float[] wk, float[] wv, float[] wo, float[] rmsFfn, float[] w1, float[] w2,
                                float[] w3, float[] rmsFinal, float[] freqCisReal, float[] freqCisImag,
                                float[] wcls) {

    /** Per-head width. */
    public int headSize() {
        return dim / nHeads;
    }

    /** Width of the key/value projections. */
    public int kvDim() {
        return nKvHeads * headSize();
    }

    /**
     * Reads a legacy llama2.c checkpoint.
     *
     * @param file the {@code .bin} file
     * @return the checkpoint
     * @throws IllegalArgumentException if the header is implausible or the file size does not match it
     * @throws IOException              on a read error
     */
    public static Llama2cCheckpoint read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < 28) {
            throw new IllegalArgumentException(file + ": too short for a llama2.c header (" + bytes.length + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int dim = b.getInt();
        int hidden = b.getInt();
        int layers = b.getInt();
        int heads = b.getInt();
        int kvHeads = b.getInt();
        int vocab = b.getInt();
        int seqLen = b.getInt();
        if (bytes.length >= 4 && b.getInt(0) == 0x616b3432) {
            throw new IllegalArgumentException(file + ": this is a versioned llama2.c export ('ak42' magic);"
                    + " only the legacy format is supported");
        }
        boolean shared = vocab > 0;
        vocab = Math.abs(vocab);
        if (dim <= 0 || hidden <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || vocab <= 0 || seqLen <= 0
                || dim % heads != 0 || heads % kvHeads != 0 || (dim / heads) % 2 != 0) {
            throw new IllegalArgumentException(file + ": implausible llama2.c header dim=" + dim + " hidden_dim="
                    + hidden + " n_layers=" + layers + " n_heads=" + heads + " n_kv_heads=" + kvHeads
                    + " vocab_size=" + vocab + " seq_len=" + seqLen);
        }
        long hs = dim / heads;
        long kvDim = kvHeads * hs;
        long floats = (long) vocab * dim + 2L * layers * dim + (long) layers * dim * dim * 2
                + 2L * layers * kvDim * dim + 3L * layers * hidden * dim + dim + 2L * seqLen * (hs / 2)
                + (shared ? 0 : (long) vocab * dim);
        long expected = 28 + 4 * floats;
        if (bytes.length != expected) {
            throw new IllegalArgumentException(file + ": size " + bytes.length + " does not match the header ("
                    + expected + " bytes expected)");
        }
        return new Llama2cCheckpoint(dim, hidden, layers, heads, kvHeads, vocab, seqLen, shared,
                take(b, (long) vocab * dim), take(b, (long) layers * dim), take(b, (long) layers * dim * dim),
                take(b, layers * kvDim * dim), take(b, layers * kvDim * dim), take(b, (long) layers * dim * dim),
                take(b, (long) layers * dim), take(b, (long) layers * hidden * dim),
                take(b, (long) layers * dim * hidden), take(b, (long) layers * hidden * dim), take(b, dim),
                take(b, seqLen * (hs / 2)), take(b, seqLen * (hs / 2)),
                shared ? null : take(b, (long) vocab * dim));
    }

    private static float[] take(ByteBuffer b, long n) {
        float[] out = new float[Math.toIntExact(n)];
        b.asFloatBuffer().get(out);
        b.position(b.position() + out.length * 4);
        return out;
    }

    /**
     * The rows of one layer of a stacked [layers, rows, cols] tensor.
     *
     * @param stacked the stacked tensor
     * @param layer   the layer
     * @param size    rows × cols
     * @return a copy of that layer's slice
     */
    public static float[] layer(float[] stacked, int layer, int size) {
        float[] out = new float[size];
        System.arraycopy(stacked, layer * size, out, 0, size);
        return out;
    }
}
