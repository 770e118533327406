package dev.overlap.lag;

import io.micrometer.core.instrument.Gauge;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the source keeps for the pipeline, as last probed, so that ops see a source disk filling or a
 * retention limit coming before the pipeline's position is gone.
 *
 * <p>Gauges: {@code overlap_source_retained_bytes} (PostgreSQL: WAL the slot holds back, {@code
 * pg_current_wal_lsn() − restart_lsn}; MySQL/MariaDB: binlog bytes after the applied position; -1 before the
 * first probe) and {@code overlap_source_retention_headroom_ratio} (the share of the source's retention limit
 * still left before the pipeline's position is removed: PostgreSQL {@code safe_wal_size / max_slot_wal_keep_size};
 * MySQL/MariaDB {@code (binlog_expire_logs_seconds − lag) / binlog_expire_logs_seconds}; 1 is all of it, 0 gone;
 * -1 when the source sets no limit or before the first probe).
 */
public final class RetentionMonitor {
    private final AtomicLong retainedBytes = new AtomicLong(-1);
    /** The headroom ratio's bits ({@link Double#doubleToLongBits}). */
    private final AtomicLong headroom = new AtomicLong(Double.doubleToLongBits(-1));

    /** @param metrics the pipeline's metrics, whose registry gets the gauges */
    public RetentionMonitor(PipelineMetrics metrics) {
        Gauge.builder("overlap.source.retained", retainedBytes, AtomicLong::get)
                .description("Source WAL/binlog bytes kept for the pipeline; -1 before the first probe")
                .baseUnit("bytes")
                .tags(metrics.tags())
                .register(metrics.registry());
        Gauge.builder("overlap.source.retention.headroom", this, RetentionMonitor::headroom)
                .description("Share of the source's retention limit left before the pipeline's position is removed;"
                        + " -1 when the source sets no limit")
                .baseUnit("ratio")
                .tags(metrics.tags())
                .register(metrics.registry());
    }

    /**
     * @param bytes WAL/binlog bytes the source keeps for the pipeline, or -1 when not known
     * @param ratio share of the retention limit left, 0..1, or -1 when the source sets none
     */
    public void retention(long bytes, double ratio) {
        retainedBytes.set(bytes);
        headroom.set(Double.doubleToLongBits(ratio));
    }

    /** @return the share of the retention limit left, or -1 */
    public double headroom() {
        return Double.longBitsToDouble(headroom.get());
    }
}
