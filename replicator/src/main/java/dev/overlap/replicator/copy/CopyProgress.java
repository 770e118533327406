package dev.overlap.replicator.copy;

import dev.overlap.lag.PipelineMetrics;
import dev.overlap.replicator.catalog.TableId;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells where the initial copy stands: rows copied of the estimate, rows/s and the time left, every
 * {@value #LOG_INTERVAL_S} s in the log, in the metrics ({@code overlap_snapshot_rows_total{table}},
 * {@code overlap_snapshot_rows_estimated}, {@code overlap_snapshot_eta_seconds},
 * {@code overlap_snapshot_tables_remaining}) and {@code /status}, and as a progress bar on stderr when it
 * is a terminal (me.tongfei:progressbar). Thread-safe: the copy's workers report into it.
 */
final class CopyProgress implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CopyProgress.class);
    private static final long LOG_INTERVAL_S = 10;

    private final PipelineMetrics metrics;
    private final long estimated;
    private final long startNanos = System.nanoTime();
    private final AtomicLong copied = new AtomicLong();
    private final Map<TableId, AtomicInteger> chunksLeft = new ConcurrentHashMap<>();
    private final ScheduledExecutorService logger = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "overlap-copy-progress");
        t.setDaemon(true);
        return t;
    });
    private final ProgressBar bar;

    /**
     * @param metrics where the figures go
     * @param estimated the catalog's estimate of all rows, 0 when unknown
     * @param chunks the chunks of each table
     * @param terminal whether to draw a progress bar on stderr
     */
    CopyProgress(PipelineMetrics metrics, long estimated, Map<TableId, Integer> chunks, boolean terminal) {
        this.metrics = metrics;
        this.estimated = estimated;
        chunks.forEach((table, n) -> chunksLeft.put(table, new AtomicInteger(n)));
        metrics.snapshotTablesRemaining(chunksLeft.size());
        bar = terminal ? new ProgressBarBuilder().setTaskName("initial copy").setInitialMax(Math.max(estimated, 1))
                .setUnit(" rows", 1).setStyle(ProgressBarStyle.ASCII).showSpeed().setUpdateIntervalMillis(500).build() : null;
        publish();
        logger.scheduleAtFixedRate(this::log, LOG_INTERVAL_S, LOG_INTERVAL_S, TimeUnit.SECONDS);
    }

    /**
     * Rows of a chunk in hand, not committed yet: shown in the progress (and taken back when the chunk rolls
     * back), never counted in {@code overlap_snapshot_rows_total}.
     *
     * @param rows rows copied since the last call, negative to take shown rows back
     */
    void moving(long rows) {
        show(copied.addAndGet(rows));
    }

    /**
     * A chunk committed: its rows count in {@code overlap_snapshot_rows_total{table}}, and the progress shows
     * them in place of those {@link #moving} showed.
     *
     * @param table the chunk's table
     * @param rows the rows it committed
     * @param shown the rows {@link #moving} showed for it
     */
    void committed(TableId table, long rows, long shown) {
        metrics.applied(table.toString(), "r", rows);
        show(copied.addAndGet(rows - shown));
        if (chunksLeft.get(table).decrementAndGet() == 0) {
            metrics.snapshotTablesRemaining((int) chunksLeft.values().stream().filter(n -> n.get() > 0).count());
        }
    }

    private void show(long total) {
        if (bar != null) {
            synchronized (bar) {
                if (total > bar.getMax()) {
                    bar.maxHint(total); // the catalog's estimate was low
                }
                bar.stepTo(Math.max(0, total));
            }
        }
        publish();
    }

    /** @return rows copied so far */
    long copied() {
        return copied.get();
    }

    /** @return seconds since the copy started */
    double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private void publish() {
        long rows = copied.get();
        double seconds = Math.max(seconds(), 1e-3);
        double rate = rows / seconds;
        long eta = rate <= 0 || rows == 0 ? -1 : (long) Math.ceil(Math.max(0, estimated - rows) / rate);
        metrics.snapshotProgress(new PipelineMetrics.SnapshotProgress(rows, Math.max(estimated, rows), rate, eta));
    }

    private void log() {
        PipelineMetrics.SnapshotProgress p = metrics.snapshotProgress();
        if (p != null) {
            LOG.info(String.format(Locale.ROOT, "initial copy: %,d of about %,d rows (%.0f%%), %,.0f rows/s, %s left",
                    p.rowsCopied(), p.rowsEstimated(), 100.0 * p.rowsCopied() / Math.max(1, p.rowsEstimated()), p.rowsPerSecond(),
                    p.etaSeconds() < 0 ? "unknown time" : format(Duration.ofSeconds(p.etaSeconds()))));
        }
    }

    private static String format(Duration d) {
        return String.format(Locale.ROOT, "%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
    }

    /** Stops logging, closes the bar and clears the progress from the metrics. */
    @Override
    public void close() {
        logger.shutdownNow();
        if (bar != null) {
            synchronized (bar) {
                bar.close();
            }
        }
        metrics.snapshotProgress(null);
        metrics.snapshotTablesRemaining(0);
    }
}
