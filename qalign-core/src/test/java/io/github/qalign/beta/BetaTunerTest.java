package io.github.qalign.beta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.sampler.AcceptanceMeasure;
import io.github.qalign.sampler.QAlignSampler;
import io.github.qalign.testing.ToyLanguageModel;
import io.github.qalign.testing.ToyRewardModel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BetaTunerTest {

    ToyLanguageModel lm = ToyLanguageModel.builder().symbols(4).seed(9).eosBias(-1.0).build();
    ToyRewardModel rm = ToyRewardModel.seeded(4, 1.0);
    SamplingConfig cfg = SamplingConfig.defaults().withMaxCompletionTokens(8);

    List<Prompt> prompts(String prefix, int n) {
        List<Prompt> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(lm.prompt(prefix + i));
        }
        return out;
    }

    QAlignSampler template(int chains) {
        return QAlignSampler.builder().languageModel(lm).rewardModel(rm).beta(1.0).steps(64).chainsPerPrompt(chains)
                .sampling(cfg).build();
    }

    @Test
    void tunedBetaReachesTheTargetAcceptanceOnAFreshRun() {
        List<Prompt> calibration = prompts("cal", 16);
        for (double target : new double[] {0.3, 0.5}) {
            BetaTunerResult r = BetaTuner.builder().sampler(template(8)).targetAcceptance(target).tolerance(0.02)
                    .initialBeta(0.01).build().tune(calibration, new SplittableRandom(1));
            System.out.printf("target %.2f -> beta %.4f acc %.4f converged %s after %d runs%n", target, r.beta(),
                    r.acceptanceRate(), r.converged(), r.evaluations().size());
            assertThat(r.converged()).isTrue();
            assertThat(Math.abs(r.acceptanceRate() - target)).isLessThanOrEqualTo(0.02);
            // fresh run: other seed, twice the chains, same chain length (the acceptance rate is an average over
            // the chain, transient included, so it is tuned for a chain length: calibrate with the length you run)
            double fresh = template(16).toBuilder().beta(r.beta()).build()
                    .run(calibration, new SplittableRandom(12345)).acceptanceRate();
            // held-out prompts of the same family
            double heldOut = template(16).toBuilder().beta(r.beta()).build()
                    .run(prompts("held", 16), new SplittableRandom(999)).acceptanceRate();
            System.out.printf("   fresh %.4f held-out %.4f%n", fresh, heldOut);
            assertThat(fresh).isBetween(target - 0.04, target + 0.04); // each run averages ~8k correlated steps
            assertThat(heldOut).isBetween(target - 0.06, target + 0.06);
        }
    }

    @Test
    void movedMeasureTunesTheMoveRateAndNeedsALargerBeta() {
        List<Prompt> calibration = prompts("cal", 16);
        BetaTunerResult accepted = BetaTuner.builder().sampler(template(8)).targetAcceptance(0.4).initialBeta(0.01)
                .build().tune(calibration, new SplittableRandom(3));
        BetaTunerResult moved = BetaTuner.builder().sampler(template(8)).targetAcceptance(0.4).initialBeta(0.01)
                .measure(AcceptanceMeasure.MOVED).build().tune(calibration, new SplittableRandom(3));
        System.out.printf("target 0.40: accepted -> beta %.4f; moved -> beta %.4f%n", accepted.beta(), moved.beta());
        assertThat(moved.converged()).isTrue();
        for (BetaTunerEvaluation e : moved.evaluations()) {
            assertThat(e.rate()).isEqualTo(e.moveRate());
            assertThat(e.moveRate()).isLessThanOrEqualTo(e.acceptanceRate());
        }
        for (BetaTunerEvaluation e : accepted.evaluations()) {
            assertThat(e.rate()).isEqualTo(e.acceptanceRate());
        }
        // moving 40% of the time takes a larger beta than accepting 40% of the time
        assertThat(moved.beta()).isGreaterThan(accepted.beta());
        double freshMove = template(16).toBuilder().beta(moved.beta()).build().run(calibration, 4242L).moveRate();
        assertThat(freshMove).isBetween(0.36, 0.44);
    }

    @Test
    void deterministicGivenTheSeed() {
        List<Prompt> calibration = prompts("cal", 4);
        BetaTuner t = BetaTuner.builder().sampler(template(2)).build();
        assertThat(t.tune(calibration, new SplittableRandom(5))).isEqualTo(t.tune(calibration, new SplittableRandom(5)));
    }

    @Test
    void unreachableTargetIsReportedAsNotConverged() {
        // with the length ratio, even beta -> infinity accepts only E[min(1, |y|/|y'|)] < 1
        BetaTunerResult r = BetaTuner.builder().sampler(template(2)).targetAcceptance(0.99).maxBeta(1e3).build()
                .tune(prompts("cal", 4), new SplittableRandom(2));
        assertThat(r.converged()).isFalse();
        assertThat(r.acceptanceRate()).isLessThan(0.97);
        assertThat(r.evaluations()).extracting(BetaTunerEvaluation::beta).contains(1e3);
    }

    @Test
    void badConfiguration() {
        assertThatThrownBy(() -> BetaTuner.builder().build()).hasMessageContaining("sampler");
        assertThatThrownBy(() -> BetaTuner.builder().sampler(template(1)).targetAcceptance(1).build())
                .hasMessageContaining("targetAcceptance");
        assertThatThrownBy(() -> BetaTuner.builder().sampler(template(1)).minBeta(0).build())
                .hasMessageContaining("minBeta");
        assertThatThrownBy(() -> BetaTuner.builder().sampler(template(1)).initialBeta(1e6).build())
                .hasMessageContaining("initialBeta");
        assertThatThrownBy(() -> BetaTuner.builder().sampler(template(1)).expansionFactor(1).build())
                .hasMessageContaining("expansionFactor");
        assertThatThrownBy(() -> BetaTuner.builder().sampler(template(1)).build().tune(List.of(),
                new SplittableRandom(1))).hasMessageContaining("calibrationPrompts");
        // a template without steps has no acceptance to measure (it would silently search up to maxBeta)
        assertThatThrownBy(() -> BetaTuner.builder().sampler(template(1).toBuilder().steps(0).build()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("steps");
        assertThatThrownBy(() -> BetaTuner.builder().sampler(template(1)).build().tune(null, new SplittableRandom(1)))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("calibrationPrompts");
    }
}
