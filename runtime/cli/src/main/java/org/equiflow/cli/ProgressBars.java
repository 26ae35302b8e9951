package org.equiflow.cli;

import java.time.Duration;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** The progress bars of train, sample and hmc: ASCII, on System.err, and none at all with --no-progress. */
final class ProgressBars {
    private ProgressBars() {}

    /** A bar for {@code task} at {@code from} of {@code max}; null when {@code hidden} (--no-progress). */
    static ProgressBar open(String task, long max, long from, boolean hidden) {
        if (hidden) return null;
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).startsFrom(from, Duration.ZERO).build();
    }
}
