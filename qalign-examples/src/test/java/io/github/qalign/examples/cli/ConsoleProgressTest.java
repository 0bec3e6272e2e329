package io.github.qalign.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link ConsoleProgress} without a console: throttled progress lines with a time-left estimate, then "done". */
class ConsoleProgressTest {

    private static final long MINUTE = 60_000_000_000L;

    @Test
    void withoutAConsoleItPrintsAtMostOneLinePerMinuteWithTheTimeLeft() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong clock = new AtomicLong(5 * MINUTE);
        ConsoleProgress p = new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false,
                clock::get);
        p.start("units", 100);
        clock.addAndGet(MINUTE / 2);
        p.step(10); // 30 s after the start: too early for a line
        clock.addAndGet(MINUTE / 2);
        p.step(10); // 1 min, 20 of 100 done: 4 min left
        clock.addAndGet(MINUTE / 2);
        p.step(30); // 30 s after the last line: none
        clock.addAndGet(59 * MINUTE);
        p.step(25); // 60.5 min, 75 done: ~20 min left
        clock.addAndGet(MINUTE);
        p.step(25); // all done: no progress line, the "done" line instead
        p.finish();
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(List.of(
                "units: 20 of 100 (20%), 60 s elapsed, about 4 min left",
                "units: 75 of 100 (75%), 61 min elapsed, about 20 min left",
                "units: done in 3690 s"), lines);
    }

    @Test
    void durationsReadNaturally() {
        assertEquals("42 s", ConsoleProgress.duration(42.4));
        assertEquals("17 min", ConsoleProgress.duration(17 * 60));
        assertEquals("2.4 h", ConsoleProgress.duration(2.4 * 3600));
    }
}
