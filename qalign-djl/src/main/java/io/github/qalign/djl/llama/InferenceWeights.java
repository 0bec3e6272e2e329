package io.github.qalign.djl.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;

/**
 * The weights of the inference path, derived from the parameters so that a decoder layer needs few native calls.
 *
 * <ul>
 *   <li>The residual stream carries one extra, constant column {@code c = sqrt(D * eps)} (set in the embedding rows;
 *       the o/down projections get a zero output row, so it stays exactly {@code c}). Then
 *       {@code x / ||[x, c]||_2 = x / sqrt(sum(x^2) + D eps)}, so one {@code normalize} call is the RMSNorm up to
 *       the factor {@code sqrt(D)} and the norm weight, which are folded into the columns of the consuming linear
 *       weight (whose extra column is zero).</li>
 *   <li>RoPE: the fused qkv weight also holds the q/k rows with the two halves of every head swapped, so its output
 *       gives {@code qk} and {@code swap_halves(qk)} at once; {@code [qk, swap(qk)] * [cos, signed sin]} summed over
 *       the pair axis is the rotation.</li>
 * </ul>
 * Everything else (attention scale in the q rows, gate/up fusion) is as in the parameters.
 *
 * <p>Built from (and, for an inference-only model, replacing) the trainable arrays of a {@link LlamaModel}; the
 * arrays live in a sub-manager of the model's manager ({@link #mgr}).
 */
final class InferenceWeights {
    private final LlamaModel m;
    final NDManager mgr;
    final NDArray embed;
    final NDArray[] qkv;
    final NDArray[] wo;
    final NDArray[] gu;
    final NDArray[] down;
    final NDArray lmHead;
    final NDArray score;
    final NDArray finalNormScaled;
    final long[] qkvSplit;

    /**
     * Builds the inference weights.
     *
     * @param m       the model whose parameters are converted
     * @param release close every trainable array as soon as it is converted (inference-only model)
     */
    InferenceWeights(LlamaModel m, boolean release) {
        this.m = m;
        this.mgr = m.manager.newSubManager();
        int layers = m.config.numHiddenLayers();
        int d1 = m.dim + 1;
        int qkRows = (m.heads + m.kvHeads) * m.headDim;
        int vRows = m.kvHeads * m.headDim;
        int half = m.headDim / 2;
        float c = (float) Math.sqrt(m.dim * (double) m.eps);
        double sqrtD = Math.sqrt(m.dim);
        qkvSplit = new long[] {2L * qkRows};
        qkv = new NDArray[layers];
        wo = new NDArray[layers];
        gu = new NDArray[layers];
        down = new NDArray[layers];
        try {
            // every matrix is re-laid out by the engine on the model's device, in row blocks; only the norm vectors
            // (D values each) pass through the Java heap
            embed = withConstantColumn(m.embed, c);
            for (int l = 0; l < layers; l++) {
                try (NDManager scratch = mgr.newSubManager()) {
                    NDArray w = m.wqkv[l];
                    NDArray qk = w.get(scratch, new NDIndex(":{}", qkRows));
                    // the q/k rows with the two halves of every head swapped
                    NDArray swapped = qk.reshape(m.heads + m.kvHeads, 2, half, m.dim).flip(1).reshape(qkRows, m.dim);
                    NDArray v = w.get(scratch, new NDIndex("{}:", qkRows));
                    NDArray rows = NDArrays.concat(new NDList(qk, swapped, v), 0);
                    qkv[l] = scaledColumns(rows, floats(m.attnNorm[l]), sqrtD);
                }
                wo[l] = zeroRowAppended(m.wo[l]);
                gu[l] = scaledColumns(m.wgu[l], floats(m.ffnNorm[l]), sqrtD);
                down[l] = zeroRowAppended(m.wdown[l]);
                if (release) {
                    for (NDArray a : new NDArray[] {m.wqkv[l], m.attnNorm[l], m.wo[l], m.wgu[l],
                            m.ffnNorm[l], m.wdown[l]}) {
                        a.close();
                    }
                }
            }
            float[] fn = floats(m.finalNorm);
            lmHead = m.lmHead == null ? null : scaledColumns(m.lmHead, fn, sqrtD);
            score = m.score == null ? null : scaledColumns(m.score, fn, sqrtD);
            float[] fs = new float[m.dim];
            for (int j = 0; j < m.dim; j++) {
                fs[j] = (float) (fn[j] * sqrtD);
            }
            finalNormScaled = make(fs, m.dim);
            if (release) {
                NDArray head = m.lmHead == m.embed ? null : m.lmHead;
                for (NDArray a : new NDArray[] {m.embed, m.finalNorm, head, m.score}) {
                    if (a != null) {
                        a.close();
                    }
                }
            }
        } catch (RuntimeException ex) {
            mgr.close();
            throw ex;
        }
    }

    /** Elements per row block of a re-layout (bounds the float64 scratch to 128 MiB). */
    private static final long BLOCK_ELEMENTS = 1L << 24;

    private long blockRows(long rowElems) {
        return Math.max(1, BLOCK_ELEMENTS / Math.max(1, rowElems));
    }

    /**
     * {@code [R, D]} rows times {@code norm * s} per column, plus a zero column: {@code [R, D + 1]} in the model's
     * dtype. Each product is formed in float64 and rounded once to float32 (then to the model dtype), as a Java
     * {@code (float) (w * (norm * s))} would.
     */
    private NDArray scaledColumns(NDArray w, float[] norm, double s) {
        long rows = w.getShape().get(0);
        double[] scale = new double[m.dim];
        for (int j = 0; j < m.dim; j++) {
            scale[j] = norm[j] * s;
        }
        NDArray out = mgr.zeros(new Shape(rows, m.dim + 1L), m.dataType);
        try (NDManager scratch = mgr.newSubManager()) {
            NDArray sc = scratch.create(scale, new Shape(1, m.dim));
            long step = blockRows(m.dim);
            for (long r = 0; r < rows; r += step) {
                long r1 = Math.min(rows, r + step);
                try (NDManager blk = scratch.newSubManager()) {
                    NDArray part = w.get(blk, new NDIndex("{}:{}", r, r1)).toType(DataType.FLOAT64, false).mul(sc)
                            .toType(DataType.FLOAT32, false).toType(m.dataType, false);
                    out.set(new NDIndex("{}:{}, :{}", r, r1, m.dim), part);
                }
            }
        }
        return out;
    }

    /** {@code [D, K]} plus a zero last row: {@code [D + 1, K]} in the model's dtype. */
    private NDArray zeroRowAppended(NDArray w) {
        long k = w.getShape().get(1);
        NDArray out = mgr.zeros(new Shape(m.dim + 1L, k), m.dataType);
        try (NDManager scratch = mgr.newSubManager()) {
            out.set(new NDIndex(":{}", m.dim), w.get(scratch, new NDIndex(":")).toType(m.dataType, false));
        }
        return out;
    }

    /** {@code [V, D]} plus a last column holding {@code c}: {@code [V, D + 1]} in the model's dtype. */
    private NDArray withConstantColumn(NDArray e, float c) {
        long rows = e.getShape().get(0);
        NDArray out = mgr.full(new Shape(rows, m.dim + 1L), c, m.dataType);
        long step = blockRows(m.dim);
        for (long r = 0; r < rows; r += step) {
            long r1 = Math.min(rows, r + step);
            try (NDManager blk = mgr.newSubManager()) {
                out.set(new NDIndex("{}:{}, :{}", r, r1, m.dim),
                        e.get(blk, new NDIndex("{}:{}", r, r1)).toType(m.dataType, false));
            }
        }
        return out;
    }

    private NDArray make(float[] data, long... shape) {
        NDArray a = mgr.create(data, new Shape(shape));
        if (m.dataType == DataType.FLOAT32) {
            return a;
        }
        NDArray b = a.toType(m.dataType, false);
        b.attach(mgr);
        a.close();
        return b;
    }

    static float[] floats(NDArray a) {
        if (a.getDataType() == DataType.FLOAT32) {
            return a.toFloatArray();
        }
        try (NDArray f = a.toType(DataType.FLOAT32, true)) {
            return f.toFloatArray();
        }
    }
}
