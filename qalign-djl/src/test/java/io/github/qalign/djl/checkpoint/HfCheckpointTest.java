package io.github.qalign.djl.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.qalign.djl.LlamaConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HfCheckpointTest extends CheckpointTestSupport {

    private static void assertSameWeights(HfCheckpoint ck, Map<String, float[]> written, DataType target,
                                          boolean exact) {
        try (NDManager m = manager.newSubManager()) {
            Map<String, NDArray> all = ck.loadAll(m, target);
            assertThat(all.keySet()).containsExactlyElementsOf(HfCheckpoint.expectedShapes(ck.config()).keySet());
            for (Map.Entry<String, NDArray> e : all.entrySet()) {
                NDArray a = e.getValue();
                assertThat(a.getDataType()).isEqualTo(target);
                assertThat(a.getShape()).isEqualTo(new Shape(HfCheckpoint.expectedShapes(ck.config()).get(e.getKey())));
                float[] got = a.toType(DataType.FLOAT32, false).toFloatArray();
                float[] want = written.get(e.getKey());
                if (exact) {
                    assertThat(got).as(e.getKey()).containsExactly(want);
                } else {
                    for (int i = 0; i < want.length; i++) {
                        assertThat(Math.abs(got[i] - want[i])).as(e.getKey())
                                .isLessThanOrEqualTo(Math.abs(want[i]) / 128f + 1e-6f);
                    }
                }
            }
        }
    }

    @Test
    void singleFileCausalLmLoadsEveryTensorExactly() throws Exception {
        LlamaConfig c = TinyCheckpoint.causalConfig(false);
        Map<String, float[]> w = TinyCheckpoint.write(tmp, c, 7, 1, "F32");
        try (HfCheckpoint ck = HfCheckpoint.open(tmp)) {
            assertThat(ck.config()).isEqualTo(c);
            assertThat(ck.directory()).isEqualTo(tmp);
            assertThat(ck.tensorNames()).hasSize(2 + 9 * 2 + 1).contains("lm_head.weight");
            assertThat(ck.info("model.layers.1.self_attn.k_proj.weight").shape()).containsExactly(8, 16);
            assertSameWeights(ck, w, DataType.FLOAT32, true);
            try (NDArray q = ck.load("model.layers.0.self_attn.q_proj.weight", manager, DataType.FLOAT16)) {
                assertThat(q.getShape()).isEqualTo(new Shape(16, 16));
                assertThat(q.getDataType()).isEqualTo(DataType.FLOAT16);
            }
            assertThat(ck.chatTemplate()).isEmpty();
        }
    }

    @Test
    void shardedBf16CheckpointLoadsThroughTheIndex() throws Exception {
        LlamaConfig c = TinyCheckpoint.causalConfig(true);
        Map<String, float[]> w = TinyCheckpoint.write(tmp, c, 8, 3, "BF16");
        try (HfCheckpoint ck = HfCheckpoint.open(tmp)) {
            assertThat(ck.tensorNames()).doesNotContain("lm_head.weight");
            assertThat(ck.info("model.norm.weight").dtype()).isEqualTo("BF16");
            assertSameWeights(ck, w, DataType.FLOAT32, false);
            assertSameWeights(ck, w, DataType.FLOAT16, false);
        }
    }

    @Test
    void rewardModelHasScoreHeadAndNoLmHead() throws Exception {
        LlamaConfig c = TinyCheckpoint.rewardConfig();
        Map<String, float[]> w = TinyCheckpoint.write(tmp, c, 9, 2, "F16");
        try (HfCheckpoint ck = HfCheckpoint.open(tmp)) {
            assertThat(ck.config().isSequenceClassification()).isTrue();
            assertThat(HfCheckpoint.expectedShapes(c)).containsKey("score.weight").doesNotContainKey("lm_head.weight");
            assertThat(HfCheckpoint.expectedShapes(c).get("score.weight")).containsExactly(1, 16);
            assertSameWeights(ck, w, DataType.FLOAT32, false);
        }
    }

    @Test
    void unusedTensorsAreListedButNotLoaded() throws Exception {
        LlamaConfig c = TinyCheckpoint.causalConfig(true);
        Map<String, float[]> w = TinyCheckpoint.randomWeights(c, 3);
        LlamaConfigJson.write(c, tmp.resolve("config.json"));
        SafetensorsWriter sw = new SafetensorsWriter();
        w.forEach((k, v) -> sw.add(k, v, HfCheckpoint.expectedShapes(c).get(k)));
        sw.add("model.layers.0.self_attn.rotary_emb.inv_freq", new float[] {1, 2}, 2);
        sw.write(tmp.resolve("model.safetensors"));
        try (HfCheckpoint ck = HfCheckpoint.open(tmp); NDManager m = manager.newSubManager()) {
            assertThat(ck.tensorNames()).contains("model.layers.0.self_attn.rotary_emb.inv_freq");
            assertThat(ck.loadAll(m, DataType.FLOAT32)).doesNotContainKey("model.layers.0.self_attn.rotary_emb.inv_freq");
            assertThat(ck.load("model.layers.0.self_attn.rotary_emb.inv_freq", m, DataType.FLOAT32).toFloatArray())
                    .containsExactly(1, 2);
        }
    }
}
