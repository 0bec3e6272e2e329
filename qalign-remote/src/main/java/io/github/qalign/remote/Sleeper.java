package io.github.qalign.remote;

import java.time.Duration;

/**
 * Waits between retries. The default sleeps the calling thread; tests inject one that records the delays and returns
 * at once, so backoff schedules are checked exactly and fault tests stay fast.
 */
@FunctionalInterface
public interface Sleeper {

    /** Sleeps the calling thread. */
    Sleeper SYSTEM = d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);

    /**
     * Waits for {@code delay}.
     *
     * @param delay how long, not negative
     * @throws InterruptedException if interrupted while waiting
     */
    void sleep(Duration delay) throws InterruptedException;
}
