package io.github.qalign.examples.cli;

import io.github.qalign.examples.experiment.Progress;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * {@link Progress} as a console progress bar (me.tongfei progressbar) on a stream, usually stderr; when the JVM has
 * no console (output redirected, e.g. a multi-hour {@code qalign overopt} under nohup) plain lines instead of a
 * redrawn bar: at most one per {@link #LINE_INTERVAL_NANOS} with the count done, the elapsed time and a linear
 * estimate of the time left, and one when the phase ends.
 */
final class ConsoleProgress implements Progress {

    /** Minimum time between two progress lines when there is no console: one minute. */
    static final long LINE_INTERVAL_NANOS = 60_000_000_000L;

    private final PrintStream stream;
    private final boolean interactive;
    private final LongSupplier nanoClock;
    private ProgressBar bar;
    private String task;
    private long started;
    private long total;
    private long done;
    private long lastLine;

    ConsoleProgress(PrintStream stream) {
        this(stream, System.console() != null, System::nanoTime);
    }

    /** For tests: whether to draw a bar, and the clock of the plain lines. */
    ConsoleProgress(PrintStream stream, boolean interactive, LongSupplier nanoClock) {
        this.stream = stream;
        this.interactive = interactive;
        this.nanoClock = nanoClock;
    }

    @Override
    public void start(String task, long total) {
        finish();
        this.task = task;
        this.started = nanoClock.getAsLong();
        this.lastLine = started;
        this.total = total;
        this.done = 0;
        if (!interactive) {
            return;
        }
        bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(stream)).setUpdateIntervalMillis(250)
                .continuousUpdate().build();
    }

    @Override
    public void step(long n) {
        if (bar != null) {
            bar.stepBy(n);
            return;
        }
        if (task == null) {
            return;
        }
        done += n;
        long now = nanoClock.getAsLong();
        if (now - lastLine >= LINE_INTERVAL_NANOS && done < total) {
            lastLine = now;
            double elapsed = (now - started) / 1e9;
            stream.printf(Locale.ROOT, "%s: %d of %d (%.0f%%), %s elapsed, about %s left%n", task, done, total,
                    100.0 * done / total, duration(elapsed), duration(elapsed * (total - done) / done));
            stream.flush();
        }
    }

    /** "42 s", "17 min", "2.4 h". */
    static String duration(double seconds) {
        if (seconds < 100) {
            return String.format(Locale.ROOT, "%.0f s", seconds);
        }
        if (seconds < 6000) {
            return String.format(Locale.ROOT, "%.0f min", seconds / 60);
        }
        return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
    }

    @Override
    public void finish() {
        if (bar != null) {
            bar.close();
            bar = null;
        } else if (task != null) {
            stream.printf(Locale.ROOT, "%s: done in %.0f s%n", task, (nanoClock.getAsLong() - started) / 1e9);
            stream.flush();
        }
        task = null;
    }
}
