package io.github.qalign.examples.cli;

import io.github.qalign.examples.experiment.Progress;
import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** {@link Progress} as a console progress bar (me.tongfei progressbar) on a stream, usually stderr. */
final class ConsoleProgress implements Progress {

    private final PrintStream stream;
    private ProgressBar bar;

    ConsoleProgress(PrintStream stream) {
        this.stream = stream;
    }

    @Override
    public void start(String task, long total) {
        finish();
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
        }
    }
}
