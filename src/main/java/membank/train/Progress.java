package membank.train;

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
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).continuousUpdate();
        if (visible) {
            builder.setConsumer(new ConsoleProgressBarConsumer(System.err));
        } else {
            builder.setConsumer(new me.tongfei.progressbar.DelegatingProgressBarConsumer(s -> { }));
        }
        return builder.build();
    }
}
