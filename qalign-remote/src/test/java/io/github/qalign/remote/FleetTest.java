package io.github.qalign.remote;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Routing and health of a {@link Fleet}, on a fake clock. */
class FleetTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final List<URI> three = List.of(URI.create("http://a:1"), URI.create("http://b:2/v1/"),
            URI.create("http://c:3"));

    private Fleet fleet() {
        return new Fleet(three, 4, 10_000, now::get);
    }

    @Test
    void aPromptKeepsItsEndpointAndPromptsSpreadOverAll() {
        Fleet f = fleet();
        Map<URI, Integer> counts = new HashMap<>();
        for (int p = 0; p < 300; p++) {
            Fleet.Member m = f.choose("prompt-" + p, List.of());
            assertThat(f.choose("prompt-" + p, List.of())).isSameAs(m);
            counts.merge(m.base(), 1, Integer::sum);
        }
        assertThat(counts).hasSize(3);
        assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(60, 140));
        assertThat(f.members().get(1).base()).isEqualTo(URI.create("http://b:2"));
    }

    @Test
    void aFailedEndpointIsTakenOutUntilItsProbeTimeAndItsPromptsGoToTheLeastLoaded() {
        Fleet f = fleet();
        String key = "prompt-7";
        Fleet.Member home = f.preferred(key);
        f.failed(home);
        Fleet.Member other = f.choose(key, List.of());
        assertThat(other).isNotSameAs(home);
        // least outstanding among the healthy ones: load the chosen one, the other healthy one wins
        other.outstanding().incrementAndGet();
        Fleet.Member third = f.choose(key, List.of());
        assertThat(third).isNotSameAs(home).isNotSameAs(other);
        assertThat(f.status().stream().filter(s -> !s.healthy()).count()).isEqualTo(1);
        now.addAndGet(10_000);
        assertThat(f.choose(key, List.of())).as("probed again after probeAfter").isSameAs(home);
        f.succeeded(home);
        assertThat(f.status()).allSatisfy(s -> assertThat(s.healthy()).isTrue());
    }

    @Test
    void whenEveryEndpointIsOutTheLongestOutIsProbedAndExcludedOnesAreAvoided() {
        Fleet f = fleet();
        List<Fleet.Member> ms = f.members();
        f.failed(ms.get(1));
        now.addAndGet(5);
        f.failed(ms.get(0));
        f.failed(ms.get(2));
        assertThat(f.choose("x", List.of())).isSameAs(ms.get(1));
        Fleet g = fleet();
        Fleet.Member pref = g.preferred("y");
        assertThat(g.choose("y", List.of(pref))).isNotSameAs(pref);
    }

    @Test
    void badEndpointsAreRejected() {
        assertThatThrownBy(() -> new Fleet(List.of(), 1, 0, now::get)).hasMessageContaining("at least one endpoint");
        assertThatThrownBy(() -> new Fleet(List.of(URI.create("ftp://x")), 1, 0, now::get))
                .hasMessageContaining("http:// or https://");
        assertThatThrownBy(() -> new Fleet(List.of(URI.create("http://a:1"), URI.create("http://a:1/")), 1, 0,
                now::get)).hasMessageContaining("listed twice");
    }
}
