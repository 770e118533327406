package dev.overlap.checksum;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Progress as log lines (for a non-interactive stderr): rows done, percent, rows/s and ETA, at most every interval. */
final class LogProgress implements VerifyProgress {
    private static final Logger LOG = LoggerFactory.getLogger(LogProgress.class);
    private final long intervalNanos;
    private long total;
    private long done;
    private long startNanos;
    private long lastLogNanos;

    /** @param intervalMillis least time between two lines */
    LogProgress(long intervalMillis) {
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
    }

    @Override
    public synchronized void start(long totalRows) {
        total = totalRows;
        startNanos = System.nanoTime();
        lastLogNanos = startNanos;
        LOG.info("verifying about {} source rows (the catalog's estimate)", String.format("%,d", totalRows));
    }

    @Override
    public synchronized void advance(long rows) {
        done += rows;
        long now = System.nanoTime();
        if (now - lastLogNanos >= intervalNanos) {
            lastLogNanos = now;
            log(now);
        }
    }

    private void log(long now) {
        double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
        double rate = done / seconds;
        String eta = rate > 0 && total > done ? String.format("%.0f s", (total - done) / rate) : "-";
        LOG.info(String.format("verified %,d of about %,d rows (%.0f %%), %,.0f rows/s, ETA %s", done, total,
                total == 0 ? 100.0 : 100.0 * Math.min(done, total) / total, rate, eta));
    }

    @Override
    public synchronized void close() {
        log(System.nanoTime());
    }
}
