package dev.overlap.lag;

import io.micrometer.core.instrument.Gauge;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Replication lag from heartbeats, in the manner of pt-heartbeat: the daemon writes its own clock's
 * time into a heartbeat row on the source every second; when the row has been applied to the target,
 * {@link #heartbeatApplied} records that time. Lag is {@code now − newest applied heartbeat time}, both
 * read on the daemon's clock, so skew between the hosts' clocks does not enter; it is defined when the
 * application writes nothing, and a stalled stream shows as lag growing by one second per second.
 * Before the first heartbeat arrives, lag counts from the pipeline's start.
 *
 * <p>Gauges: {@code overlap_replication_lag_seconds}, {@code overlap_source_backlog_bytes} (source
 * WAL or binlog bytes the target has not confirmed, as last probed; -1 before the first probe).
 */
public final class LagMonitor {
    private final BooleanSupplier streaming;
    private final Duration maxLag;
    private final LongSupplier clockMs;
    private final AtomicLong newestHeartbeatMicros;
    private final AtomicLong backlogBytes = new AtomicLong(-1);

    /**
     * @param metrics the pipeline's metrics, whose registry gets the gauges
     * @param maxLag the lag above which {@link #healthy()} turns false ({@code promote.max-lag})
     * @param streaming whether the pipeline streams now; it is healthy only then
     */
    public LagMonitor(PipelineMetrics metrics, Duration maxLag, BooleanSupplier streaming) {
        this(metrics, maxLag, streaming, System::currentTimeMillis);
    }

    /**
     * @param metrics the pipeline's metrics
     * @param maxLag the health threshold
     * @param streaming whether the pipeline streams now
     * @param clockMs the daemon's clock, ms since the epoch (tests pass their own)
     */
    public LagMonitor(PipelineMetrics metrics, Duration maxLag, BooleanSupplier streaming, LongSupplier clockMs) {
        this.streaming = streaming;
        this.maxLag = maxLag;
        this.clockMs = clockMs;
        this.newestHeartbeatMicros = new AtomicLong(metrics.startedAt().toEpochMilli() * 1000);
        Gauge.builder("overlap.replication.lag", this, LagMonitor::lagSeconds)
                .description("Heartbeat lag: now minus the daemon time written into the newest heartbeat applied to the target")
                .baseUnit("seconds")
                .tags(metrics.tags())
                .register(metrics.registry());
        Gauge.builder("overlap.source.backlog", backlogBytes, AtomicLong::get)
                .description("Source WAL/binlog bytes not yet confirmed applied; -1 before the first probe")
                .baseUnit("bytes")
                .tags(metrics.tags())
                .register(metrics.registry());
    }

    /** @param heartbeat the daemon time written into a heartbeat row that the target has now committed */
    public void heartbeatApplied(Instant heartbeat) {
        long micros = heartbeat.getEpochSecond() * 1_000_000 + heartbeat.getNano() / 1000;
        newestHeartbeatMicros.accumulateAndGet(micros, Math::max);
    }

    /** @param bytes source WAL/binlog bytes between the server's current position and the confirmed one */
    public void backlogBytes(long bytes) {
        backlogBytes.set(bytes);
    }

    /** @return source bytes not yet confirmed, or -1 before the first probe */
    public long backlogBytes() {
        return backlogBytes.get();
    }

    /** @return the replication lag, seconds (µs resolution), never negative */
    public double lagSeconds() {
        return Math.max(0, clockMs.getAsLong() * 1000 - newestHeartbeatMicros.get()) / 1e6;
    }

    /** @return the health threshold */
    public Duration maxLag() {
        return maxLag;
    }

    /** @return whether the pipeline is streaming with lag below {@code promote.max-lag} */
    public boolean healthy() {
        return streaming.getAsBoolean() && lagSeconds() * 1000 < maxLag.toMillis();
    }
}
