package dev.overlap.checksum;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar on stderr (me.tongfei:progressbar) showing rows, rows/s, elapsed time and the estimated time left. */
final class TerminalProgress implements VerifyProgress {
    private ProgressBar bar;

    @Override
    public synchronized void start(long totalRows) {
        bar = new ProgressBarBuilder().setTaskName("verify").setInitialMax(totalRows).setUnit(" rows", 1)
                .setStyle(ProgressBarStyle.ASCII).showSpeed().setUpdateIntervalMillis(500).build();
    }

    @Override
    public synchronized void advance(long rows) {
        if (bar != null) {
            if (bar.getCurrent() + rows > bar.getMax()) {
                bar.maxHint(bar.getCurrent() + rows); // the catalog's estimate was low
            }
            bar.stepBy(rows);
        }
    }

    @Override
    public synchronized void close() {
        if (bar != null) {
            bar.stepTo(Math.max(bar.getCurrent(), bar.getMax()));
            bar.close();
        }
    }
}
