package io.github.qalign.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.model.FinishReason;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.model.TokenIds;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Burn-in, thinning and budget arithmetic of a hand-built chain, including extreme values. */
class ChainResultTest {

    static ScoredSample state(int s) {
        return new ScoredSample(TokenIds.of(s % 3, 3), "s" + s, s, FinishReason.EOS);
    }

    /** A chain whose state y^s has reward s (every step accepted). */
    static ChainResult chain(int steps, int burnIn, int thin) {
        List<ChainStep> st = new ArrayList<>();
        for (int s = 1; s <= steps; s++) {
            st.add(new ChainStep(s, 0, 2, s - 1, state(s), 1.0, true, state(s), ComputeUsage.ZERO));
        }
        return new ChainResult(0, 0, state(0), ComputeUsage.ZERO, st, burnIn, thin);
    }

    static List<Double> rewards(List<ScoredSample> samples) {
        return samples.stream().map(ScoredSample::reward).toList();
    }

    @Test
    void samplesFollowBurnInAndThinning() {
        ChainResult c = chain(10, 3, 4);
        assertThat(rewards(c.samples())).containsExactly(3.0, 7.0);
        assertThat(rewards(c.samples(2))).isEmpty();
        assertThat(rewards(c.samples(3))).containsExactly(3.0);
        assertThat(rewards(c.samples(6))).containsExactly(3.0);
        assertThat(rewards(c.samples(7))).containsExactly(3.0, 7.0);
        assertThat(rewards(chain(4, 0, 1).samples())).containsExactly(0.0, 1.0, 2.0, 3.0, 4.0);
        assertThat(rewards(chain(4, 4, 1).samples())).containsExactly(4.0);
    }

    @Test
    void hugeThinKeepsOnlyTheFirstStateAfterBurnIn() {
        // s += thin must not overflow into negative indices
        assertThat(rewards(chain(5, 1, Integer.MAX_VALUE).samples())).containsExactly(1.0);
        assertThat(rewards(chain(5, 0, Integer.MAX_VALUE).samples())).containsExactly(0.0);
        assertThat(rewards(chain(5, 5, Integer.MAX_VALUE - 1).samples(5))).containsExactly(5.0);
    }

    @Test
    void badComponentsAreNamed() {
        assertThatThrownBy(() -> chain(3, 4, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("burnIn");
        assertThatThrownBy(() -> chain(3, -1, 1)).hasMessageContaining("burnIn");
        assertThatThrownBy(() -> chain(3, 0, 0)).hasMessageContaining("thin");
        assertThatThrownBy(() -> chain(3, 0, 1).samples(4)).hasMessageContaining("budget k");
        assertThatThrownBy(() -> chain(3, 0, 1).usage(-1)).hasMessageContaining("budget k");
    }

    @Test
    void chainStepsRejectImpossibleIndices() {
        // relativeIndex() = index / currentLength must never be NaN or outside [0, 1)
        ScoredSample y = state(1);
        assertThatThrownBy(() -> new ChainStep(1, 0, 0, 0, y, 0, true, y, ComputeUsage.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("currentLength");
        assertThatThrownBy(() -> new ChainStep(1, 2, 2, 0, y, 0, true, y, ComputeUsage.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index");
        assertThatThrownBy(() -> new ChainStep(1, -1, 2, 0, y, 0, true, y, ComputeUsage.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index");
        assertThatThrownBy(() -> new ChainStep(0, 0, 2, 0, y, 0, true, y, ComputeUsage.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("step");
        assertThat(new ChainStep(1, 1, 2, 0, y, 0, true, y, ComputeUsage.ZERO).relativeIndex()).isEqualTo(0.5);
        assertThatThrownBy(() -> new ChainResult(0, 0, y, ComputeUsage.ZERO, null, 0, 1))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("steps");
    }
}
