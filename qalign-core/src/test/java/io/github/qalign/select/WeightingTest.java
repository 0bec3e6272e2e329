package io.github.qalign.select;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WeightingTest {

    @Test
    void bothWeightingsRejectABadPrefixLength() {
        double[] r = {0.5, 1.5, -2};
        for (Weighting w : new Weighting[] {Weighting.uniform(), Weighting.importance(1)}) {
            for (int n : new int[] {0, -1, 4}) {
                assertThatThrownBy(() -> w.weights(r, n)).as("%s n=%d", w, n)
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n must be in [1, 3]");
            }
            assertThatThrownBy(() -> w.weights(null, 1)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("rewards");
            assertThat(w.weights(r, 2)).hasSize(2);
        }
        assertThat(Weighting.uniform().weights(r, 3)).containsExactly(1.0 / 3, 1.0 / 3, 1.0 / 3);
        double e = Math.exp(1);
        assertThat(Weighting.importance(1).weights(r, 2)).containsExactly(1 / (1 + e), e / (1 + e));
    }

    @Test
    void nonFiniteRewardsAreRejectedByImportanceWeights() {
        assertThatThrownBy(() -> Weighting.importance(1).weights(new double[] {0, Double.NaN}, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reward[1]");
    }
}
