package io.github.qalign.examples.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.qalign.examples.task.GoldMetric;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.testing.ToyLanguageModel;
import io.github.qalign.testing.ToyRewardModel;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class SweepRunnerTest {

    /** Gold: the completion contains the symbol 'a' (toy texts are strings over a, b, c, d). */
    private static final GoldMetric HAS_A = new GoldMetric() {
        @Override
        public double score(String prompt, String completion) {
            return completion.contains("a") ? 1 : 0;
        }

        @Override
        public String description() {
            return "has a";
        }
    };

    private static SweepResult run(long seed) {
        ToyLanguageModel lm = ToyLanguageModel.builder().symbols(4).seed(9).eosBias(0.3).parameterCount(1000).build();
        ToyRewardModel rm = ToyRewardModel.seeded(2, 1.0).withParameterCount(10);
        SweepConfig config = SweepConfig.builder().prompts(List.of("x", "yy", "zzz", "w", "vv"))
                .methods(EnumSet.allOf(Method.class)).maxBudget(8).beta(0.7)
                .sampling(SamplingConfig.builder().maxCompletionTokens(5).build()).seed(seed).batchPrompts(2)
                .build();
        return new SweepRunner(lm, rm, HAS_A).run(config, Progress.NONE);
    }

    @Test
    void pointsCoverEveryMethodAndBudget() {
        SweepResult r = run(1);
        assertThat(r.points()).hasSize(5 * 4);
        for (Method m : Method.values()) {
            assertThat(r.points(m)).extracting(SweepPoint::budget).containsExactly(1, 2, 4, 8);
            assertThat(r.points(m)).allSatisfy(p -> {
                assertThat(p.prompts()).isEqualTo(5);
                assertThat(p.gold()).isBetween(0.0, 1.0);
            });
        }
        assertThat(r.acceptanceRate()).isPresent();
        assertThat(r.baseGoldRate().getAsDouble()).isBetween(0.0, 1.0);
    }

    @Test
    void bestOfNProxyRewardNeverDecreasesWithBudget() {
        List<SweepPoint> bon = run(2).points(Method.BON);
        for (int i = 1; i < bon.size(); i++) {
            assertThat(bon.get(i).proxyReward()).isGreaterThanOrEqualTo(bon.get(i - 1).proxyReward());
        }
    }

    @Test
    void independentMethodsShareSamplesAndCompute() {
        SweepResult r = run(3);
        SweepPoint bon1 = r.points(Method.BON).get(0);
        for (Method m : List.of(Method.MV, Method.WMV, Method.MBR)) {
            // budget 1: every selector returns the only sample
            assertThat(r.points(m).get(0).gold()).isEqualTo(bon1.gold());
            assertThat(r.points(m).get(0).proxyReward()).isEqualTo(bon1.proxyReward());
            for (int b = 0; b < 4; b++) {
                assertThat(r.points(m).get(b).flopsPerPrompt()).isEqualTo(r.points(Method.BON).get(b)
                        .flopsPerPrompt());
            }
        }
        List<SweepPoint> bon = r.points(Method.BON);
        for (int i = 1; i < bon.size(); i++) {
            assertThat(bon.get(i).lmTokensPerPrompt()).isGreaterThan(bon.get(i - 1).lmTokensPerPrompt());
        }
        // FLOPs = 2 * params * tokens for both models
        assertThat(bon1.flopsPerPrompt()).isCloseTo(2 * 1000 * bon1.lmTokensPerPrompt()
                + 2 * 10 * bon1.rmTokensPerPrompt(), within(1e-6));
    }

    @Test
    void sameSeedSameResultOtherSeedOtherSamples() {
        assertThat(run(4).points()).isEqualTo(run(4).points());
        assertThat(run(4).points()).isNotEqualTo(run(5).points());
    }

    @Test
    void csvHasOneLinePerPoint() {
        SweepResult r = run(6);
        String[] lines = SweepReport.csv(r).split("\n");
        assertThat(lines[0]).isEqualTo(SweepReport.CSV_HEADER);
        assertThat(lines).hasSize(1 + r.points().size());
        assertThat(lines[1]).startsWith("qalign,1,5,");
        assertThat(SweepReport.table(r)).contains("QAlign", "acceptance rate at beta 0.7");
    }
}
