package membank.util;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Progress bars on stderr for every loop over data; silent ones for tests and nested loops. */
public final class Progress {
    private Progress() {
    }

    public static ProgressBar bar(String task, long total, boolean visible) {
        ProgressBarBuilder builder = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII);
        if (visible && System.console() != null) {
            builder.setUpdateIntervalMillis(500).continuousUpdate().setConsumer(new ConsoleProgressBarConsumer(System.err));
        } else if (visible) {
            // Not a terminal (a log file, CI): one line every 30 s instead of carriage-return redraws.
            builder.setUpdateIntervalMillis(30_000).setConsumer(new me.tongfei.progressbar.DelegatingProgressBarConsumer(System.err::println));
        } else {
            builder.setConsumer(new me.tongfei.progressbar.DelegatingProgressBarConsumer(s -> { }));
        }
        return builder.build();
    }
}
