package io.github.qalign.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.qalign.djl.DjlRuntime;
import io.github.qalign.djl.LlamaConfig;
import io.github.qalign.djl.checkpoint.HfCheckpoint;
import io.github.qalign.djl.llama.LlamaModel;

import java.util.LinkedHashMap;
import java.util.Map;

/** Random-weight Llama models of a chosen shape for benchmarks (weights drawn by the engine, on the device). */
final class SyntheticLlama {

    /** Llama 3's vocabulary size. */
    static final int LLAMA3_VOCAB = 128_256;

    private SyntheticLlama() {
    }

    /**
     * A causal-LM config.
     *
     * @return the config (RoPE theta 500000, eos id 2)
     */
    static LlamaConfig config(int vocab, int dim, int inter, int layers, int heads, int kvHeads, int maxPos,
                              boolean tied) {
        return new LlamaConfig(LlamaConfig.CAUSAL_LM, vocab, dim, inter, layers, heads, kvHeads, dim / heads, maxPos,
                1e-5, 500000.0, null, tied, 0, 1, new int[] {2}, -1);
    }

    /**
     * A model with N(0, 1/fan-in) matrices and norm weights near 1, built on {@code device} in {@code dataType}.
     *
     * @return the model (close it)
     */
    static LlamaModel model(LlamaConfig c, Device device, DataType dataType, long seed) {
        return model(c, device, dataType, seed, true);
    }

    /**
     * As {@link #model(LlamaConfig, Device, DataType, long)}, optionally keeping the trainable arrays (needed by
     * {@link LlamaModel#forwardHidden}).
     *
     * @return the model (close it)
     */
    static LlamaModel model(LlamaConfig c, Device device, DataType dataType, long seed, boolean inferenceOnly) {
        NDManager tmp = DjlRuntime.engine().newBaseManager(device);
        try {
            tmp.getEngine().setRandomSeed((int) seed);
            Map<String, NDArray> w = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : HfCheckpoint.expectedShapes(c).entrySet()) {
                long[] s = e.getValue();
                NDArray a = s.length == 1 ? tmp.ones(new Shape(s))
                        : tmp.randomNormal(0f, (float) (1 / Math.sqrt(s[1])), new Shape(s), DataType.FLOAT32);
                if (dataType != DataType.FLOAT32) {
                    NDArray h = a.toType(dataType, false);
                    a.close();
                    a = h;
                }
                w.put(e.getKey(), a);
            }
            LlamaModel m = LlamaModel.create(c, w, device, dataType);
            if (inferenceOnly) {
                m.releaseTrainingWeights();
            }
            return m;
        } finally {
            tmp.close();
        }
    }
}
