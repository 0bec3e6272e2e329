package io.github.qalign.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qalign.model.TokenUsage;
import org.junit.jupiter.api.Test;

class ComputeUsageTest {

    @Test
    void flopsAreTwoTimesParametersTimesComputedTokens() {
        ComputeUsage u = new ComputeUsage(new TokenUsage(100, 50, 30), new TokenUsage(200, 10, 0), 8_000_000_000L,
                1_000_000L);
        assertThat(u.lmFlops()).isEqualTo(2.0 * 8e9 * 130); // reused tokens are free
        assertThat(u.rmFlops()).isEqualTo(2.0 * 1e6 * 200);
        assertThat(u.flops()).isEqualTo(u.lmFlops() + u.rmFlops());
        // beyond long range: 2 * 8e9 * 1e9 = 1.6e19 > Long.MAX_VALUE
        ComputeUsage big = ComputeUsage.ofLm(new TokenUsage(0, 0, 1_000_000_000L), 8_000_000_000L);
        assertThat(big.flops()).isEqualTo(1.6e19);
    }

    @Test
    void plusAddsTokensAndKeepsParameterCounts() {
        ComputeUsage a = new ComputeUsage(new TokenUsage(1, 2, 3), new TokenUsage(4, 5, 0), 10, 20);
        ComputeUsage b = new ComputeUsage(new TokenUsage(10, 20, 30), new TokenUsage(40, 50, 0), 10, 20);
        ComputeUsage s = a.plus(b);
        assertThat(s).isEqualTo(new ComputeUsage(new TokenUsage(11, 22, 33), new TokenUsage(44, 55, 0), 10, 20));
        assertThat(s.flops()).isEqualTo(a.flops() + b.flops());
        assertThat(ComputeUsage.ZERO.plus(a)).isEqualTo(a);
        assertThat(a.plus(ComputeUsage.ZERO)).isEqualTo(a);
        assertThat(ComputeUsage.ofLm(new TokenUsage(1, 0, 1), 10).plus(ComputeUsage.ofRm(new TokenUsage(2, 0, 0), 20)))
                .isEqualTo(new ComputeUsage(new TokenUsage(1, 0, 1), new TokenUsage(2, 0, 0), 10, 20));
        assertThatThrownBy(() -> a.plus(ComputeUsage.none(11, 20))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lmParameters 10 vs 11");
        assertThatThrownBy(() -> ComputeUsage.none(-1, 0)).hasMessageContaining("lmParameters");
    }

    @Test
    void ledgerAccumulatesPerMethod() {
        ComputeUsage a = ComputeUsage.ofLm(new TokenUsage(0, 0, 10), 5);
        ComputeLedger l = ComputeLedger.EMPTY.with("qalign", a).with("bon", a).with("qalign", a);
        assertThat(l.get("qalign")).isEqualTo(a.plus(a));
        assertThat(l.get("missing")).isEqualTo(ComputeUsage.ZERO);
        assertThat(l.flops()).containsExactly(java.util.Map.entry("qalign", 200.0), java.util.Map.entry("bon", 100.0));
        assertThat(ComputeLedger.EMPTY.usages()).isEmpty();
    }
}
