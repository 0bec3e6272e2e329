package io.github.qalign.djl.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
            float[] e = floats(m.embed);
            int vocab = e.length / m.dim;
            float[] ea = new float[vocab * d1];
            for (int t = 0; t < vocab; t++) {
                System.arraycopy(e, t * m.dim, ea, t * d1, m.dim);
                ea[t * d1 + m.dim] = c;
            }
            embed = make(ea, vocab, d1);
            for (int l = 0; l < layers; l++) {
                float[] w = floats(m.wqkv[l]);
                float[] rows = new float[(2 * qkRows + vRows) * m.dim];
                System.arraycopy(w, 0, rows, 0, qkRows * m.dim);
                for (int r = 0; r < qkRows; r++) {
                    int head = r / m.headDim;
                    int j = r % m.headDim;
                    int src = head * m.headDim + (j + half) % m.headDim;
                    System.arraycopy(w, src * m.dim, rows, (qkRows + r) * m.dim, m.dim);
                }
                System.arraycopy(w, qkRows * m.dim, rows, 2 * qkRows * m.dim, vRows * m.dim);
                qkv[l] = scaledColumns(rows, floats(m.attnNorm[l]), sqrtD);
                wo[l] = zeroRowAppended(floats(m.wo[l]), (long) m.heads * m.headDim);
                gu[l] = scaledColumns(floats(m.wgu[l]), floats(m.ffnNorm[l]), sqrtD);
                down[l] = zeroRowAppended(floats(m.wdown[l]), m.inter);
                if (release) {
                    for (NDArray a : new NDArray[] {m.wqkv[l], m.attnNorm[l], m.wo[l], m.wgu[l],
                            m.ffnNorm[l], m.wdown[l]}) {
                        a.close();
                    }
                }
            }
            float[] fn = floats(m.finalNorm);
            lmHead = m.lmHead == null ? null
                    : scaledColumns(floats(m.lmHead), fn, sqrtD);
            score = m.score == null ? null
                    : scaledColumns(floats(m.score), fn, sqrtD);
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

    /** {@code [R, D]} rows times {@code w * s} per column, plus a zero column: {@code [R, D + 1]}. */
    private NDArray scaledColumns(float[] w, float[] norm, double s) {
        int rows = w.length / m.dim;
        float[] out = new float[rows * (m.dim + 1)];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < m.dim; j++) {
                out[r * (m.dim + 1) + j] = (float) (w[r * m.dim + j] * (norm[j] * s));
            }
        }
        return make(out, rows, m.dim + 1);
    }

    /** {@code [D, K]} plus a zero last row: {@code [D + 1, K]}. */
    private NDArray zeroRowAppended(float[] w, long k) {
        return make(Arrays.copyOf(w, w.length + (int) k), m.dim + 1L, k);
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
