package io.github.qalign.examples.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.qalign.djl.DjlRuntime;
import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.djl.LlamaConfig;
import io.github.qalign.djl.checkpoint.HfCheckpoint;
import io.github.qalign.djl.llama.LlamaModel;
import io.github.qalign.examples.experiment.Progress;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.TokenIds;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bradley-Terry training and the Hugging Face save, on the real stories260K backbone. */
class RewardTrainingTest {

    @TempDir
    Path tmp;

    /** Pairs whose chosen completion contains token 300 and whose rejected one does not. */
    private static List<PreferencePair> syntheticPairs(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<PreferencePair> pairs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Prompt p = new Prompt("p" + i, TokenIds.of(1, 260 + rng.nextInt(200), 260 + rng.nextInt(200)));
            int[] good = new int[6];
            int[] bad = new int[6];
            for (int j = 0; j < 6; j++) {
                good[j] = 301 + rng.nextInt(200);
                bad[j] = 301 + rng.nextInt(200);
            }
            good[rng.nextInt(6)] = 300;
            pairs.add(new PreferencePair(p, TokenIds.of(good), "g", TokenIds.of(bad), "b"));
        }
        return pairs;
    }

    @Test
    void trainingLearnsASyntheticPreferenceAndIsSeeded() {
        DjlRuntime.engine();
        List<PreferencePair> train = syntheticPairs(32, 1);
        List<PreferencePair> held = syntheticPairs(32, 2);
        double[] lossA;
        double heldAcc;
        float[] scoreA;
        try (HfCheckpoint ck = HfCheckpoint.open(EmbeddedModels.stories260k());
             LlamaModel rm = RewardModels.fromPolicy(ck, 0.02, 7)) {
            lossA = BradleyTerryTrainer.builder().learningRate(3e-3).epochs(4).batchPairs(8).seed(3).build()
                    .train(rm, train.subList(0, 16), 0, Progress.NONE);
            scoreA = rm.parameters().get("score.weight").toFloatArray();
            double[] more = BradleyTerryTrainer.builder().learningRate(3e-3).epochs(2).batchPairs(8).seed(4).build()
                    .train(rm, train, 0, Progress.NONE);
            assertThat(more[1]).isLessThan(lossA[0]);
            heldAcc = BradleyTerryTrainer.accuracy(rm, held, 0);
        }
        assertThat(lossA[lossA.length - 1]).isLessThan(lossA[0]);
        assertThat(heldAcc).isGreaterThanOrEqualTo(0.9);
        // same seeds, same data: bit-identical losses and weights
        try (HfCheckpoint ck = HfCheckpoint.open(EmbeddedModels.stories260k());
             LlamaModel rm = RewardModels.fromPolicy(ck, 0.02, 7)) {
            double[] lossB = BradleyTerryTrainer.builder().learningRate(3e-3).epochs(4).batchPairs(8).seed(3)
                    .build().train(rm, train.subList(0, 16), 0, Progress.NONE);
            assertThat(lossB).containsExactly(lossA);
            assertThat(rm.parameters().get("score.weight").toFloatArray()).containsExactly(scoreA);
        }
    }

    @Test
    void savedCheckpointReloadsToTheSameScores() {
        DjlRuntime.engine();
        List<PreferencePair> pairs = syntheticPairs(8, 5);
        Path out = tmp.resolve("rm");
        float[] before;
        Path policyDir = EmbeddedModels.stories260k();
        try (HfCheckpoint ck = HfCheckpoint.open(policyDir);
             LlamaModel rm = RewardModels.fromPolicy(ck, 0.02, 11)) {
            BradleyTerryTrainer.builder().learningRate(1e-3).epochs(1).batchPairs(4).build()
                    .train(rm, pairs, 0, Progress.NONE);
            try (NDManager m = rm.manager().newSubManager()) {
                before = BradleyTerryTrainer.rewards(rm, m, pairs, 0).toFloatArray();
            }
            RewardModels.save(rm, out, policyDir, Map.of("format", "pt"));
        }
        try (HfCheckpoint saved = HfCheckpoint.open(out)) {
            LlamaConfig c = saved.config();
            assertThat(c.architecture()).isEqualTo(LlamaConfig.SEQUENCE_CLASSIFICATION);
            assertThat(c.numLabels()).isEqualTo(1);
            assertThat(saved.tensorNames()).contains("score.weight", "model.layers.0.self_attn.q_proj.weight")
                    .doesNotContain("lm_head.weight");
            NDManager m = DjlRuntime.engine().newBaseManager(Device.cpu());
            Map<String, NDArray> w = saved.loadAll(m, DataType.FLOAT32);
            try (LlamaModel reloaded = LlamaModel.create(c, w, Device.cpu(), DataType.FLOAT32);
                 NDManager s = reloaded.manager().newSubManager()) {
                float[] after = BradleyTerryTrainer.rewards(reloaded, s, pairs, 0).toFloatArray();
                for (int i = 0; i < before.length; i++) {
                    assertThat(after[i]).isCloseTo(before[i], within(1e-4f));
                }
            } finally {
                m.close();
            }
        }
    }
}
