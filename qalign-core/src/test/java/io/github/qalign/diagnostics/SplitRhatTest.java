package io.github.qalign.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SplitRhatTest {

    private static double[][] chains(JsonNode node) {
        double[][] x = new double[node.size()][];
        for (int c = 0; c < x.length; c++) {
            JsonNode row = node.get(c);
            x[c] = new double[row.size()];
            for (int i = 0; i < x[c].length; i++) {
                x[c][i] = row.get(i).asDouble();
            }
        }
        return x;
    }

    /** Against an independent NumPy transcription of ArviZ's az.rhat (src/test/scripts/rhat_golden.py). */
    @Test
    void matchesArvizFormulasOnSixCases() throws IOException {
        JsonNode root;
        try (InputStream in = Objects.requireNonNull(getClass().getResourceAsStream("/diagnostics/rhat.json"))) {
            root = new ObjectMapper().readTree(in);
        }
        int cases = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); cases++) {
            Map.Entry<String, JsonNode> e = it.next();
            double[][] x = chains(e.getValue().get("chains"));
            // the normal quantile comes from commons-math3's erfInv here and from Python's NormalDist (Wichura's
            // AS241) there; they agree to about 1e-12 for the quantiles used, which moves R-hat by less than 1e-9
            assertThat(SplitRhat.rankNormalized(x)).as(e.getKey())
                    .isCloseTo(e.getValue().get("rank").asDouble(), within(1e-9));
            assertThat(SplitRhat.classic(x)).as(e.getKey())
                    .isCloseTo(e.getValue().get("split").asDouble(), within(1e-12));
        }
        assertThat(cases).isEqualTo(6);
    }

    @Test
    void agreeingChainsAreNearOneAndDisagreeingOnesAreFlagged() {
        double[][] same = new double[4][];
        double[][] shifted = new double[4][];
        double[][] spread = new double[4][];
        for (int c = 0; c < 4; c++) {
            same[c] = EffectiveSampleSizeTest.ar1(0.5, 4000, 100 + c);
            shifted[c] = EffectiveSampleSizeTest.ar1(0.5, 4000, 200 + c);
            spread[c] = EffectiveSampleSizeTest.ar1(0.5, 4000, 300 + c);
            for (int i = 0; i < 4000; i++) {
                shifted[c][i] += c == 3 ? 0.5 : 0;
                spread[c][i] *= c % 2 == 0 ? 1 : 3;
            }
        }
        assertThat(SplitRhat.rankNormalized(same)).isBetween(0.99, 1.01);
        assertThat(SplitRhat.rankNormalized(shifted)).isGreaterThan(1.02);
        // equal means, different spread: the bulk and the classic R-hat miss it, the folded (tail) R-hat does not
        assertThat(SplitRhat.classic(spread)).isLessThan(1.01);
        assertThat(SplitRhat.rankNormalized(spread)).isGreaterThan(1.1);
        // one drifting chain disagrees with itself
        double[] drift = new double[1000];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < drift.length; i++) {
            drift[i] = i / 250.0 + r.nextGaussian();
        }
        assertThat(SplitRhat.rankNormalized(new double[][] {drift})).isGreaterThan(1.3);
    }

    @Test
    void degenerateAndInvalidInputs() {
        assertThat(SplitRhat.rankNormalized(new double[][] {{2, 2, 2, 2}, {2, 2, 2, 2}})).isEqualTo(1.0);
        assertThat(SplitRhat.classic(new double[][] {{1, 1, 1, 1}, {2, 2, 2, 2}})).isInfinite();
        assertThat(SplitRhat.rankNormalized(new double[][] {{1, 1, 1, 1}, {2, 2, 2, 2}})).isInfinite();
        assertThatThrownBy(() -> SplitRhat.rankNormalized(new double[0][])).hasMessageContaining("at least one");
        assertThatThrownBy(() -> SplitRhat.rankNormalized(new double[][] {{1, 2, 3}}))
                .hasMessageContaining("at least 4");
        assertThatThrownBy(() -> SplitRhat.rankNormalized(new double[][] {{1, 2, 3, 4}, {1, 2, 3, 4, 5}}))
                .hasMessageContaining("chains[1] has 5");
        assertThatThrownBy(() -> SplitRhat.classic(new double[][] {{1, 2, Double.NaN, 4}}))
                .hasMessageContaining("chains[0][2]");
    }
}
