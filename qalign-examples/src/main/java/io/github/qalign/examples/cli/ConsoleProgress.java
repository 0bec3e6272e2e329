package io.github.qalign.examples.cli;

import io.github.qalign.examples.experiment.Progress;
import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * {@link Progress} as a console progress bar (me.tongfei progressbar) on a stream, usually stderr; when the JVM has
 * no console (output redirected) one line per finished phase instead of a redrawn bar.
 */
final class ConsoleProgress implements Progress {

    private final PrintStream stream;
    private final boolean interactive;
    private ProgressBar bar;
    private String task;
    private long started;

    ConsoleProgress(PrintStream stream) {
        this.stream = stream;
        this.interactive = System.console() != null;
    }

    @Override
    public void start(String task, long total) {
        finish();
        this.task = task;
        this.started = System.nanoTime();
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
        }
    }

    @Override
    public void finish() {
        if (bar != null) {
            bar.close();
            bar = null;
        } else if (task != null) {
            stream.printf(java.util.Locale.ROOT, "%s: done in %.0f s%n", task, (System.nanoTime() - started) / 1e9);
            stream.flush();
        }
        task = null;
    }
}
