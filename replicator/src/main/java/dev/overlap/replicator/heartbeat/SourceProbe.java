package dev.overlap.replicator.heartbeat;

import dev.overlap.lag.LagMonitor;
import dev.overlap.lag.PipelineMetrics;
import dev.overlap.lag.RetentionMonitor;
import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.config.Endpoint;
import dev.overlap.replicator.jdbc.Connections;
import dev.overlap.replicator.sql.SqlDialect;
import dev.overlap.replicator.stream.RowChange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's periodic work on the source, for the {@link LagMonitor}: every second it upserts
 * {@code (pipeline, ts)} into {@code overlap_heartbeat} with the daemon's clock (pt-heartbeat style;
 * the row reaches the target through CDC like any other), and every fifth second it reads the
 * replication backlog in bytes and what the source retains for the pipeline ({@link SourceRetention}: on
 * PostgreSQL from the slot's {@code confirmed_flush_lsn}, {@code restart_lsn}, {@code wal_status} and {@code
 * safe_wal_size}; on MySQL/MariaDB from the binlogs after the applied position and {@code binlog_expire_logs_seconds}),
 * warning once when less than a quarter of the source's retention limit is left and logging one error when the
 * position is lost. A failure is counted ({@code overlap_errors_total{kind="heartbeat"}}) and retried on the
 * next tick with a new connection; it never stops the pipeline, and a stalled heartbeat shows as
 * growing lag.
 */
public final class SourceProbe implements AutoCloseable {
    /** Name of the heartbeat table, on the source and (through replication) on the target. */
    public static final String TABLE = "overlap_heartbeat";
    private static final Logger LOG = LoggerFactory.getLogger(SourceProbe.class);
    private static final long BACKLOG_EVERY_TICKS = 5;

    /** Reads what the source keeps for the pipeline: the backlog, the WAL or binlog it retains, the limit's headroom. */
    @FunctionalInterface
    public interface RetentionProbe {
        /**
         * @param connection the probe's connection to the source
         * @param lagSeconds the pipeline's replication lag now, s (how old the applied position is)
         * @return what the source keeps
         * @throws SQLException when the source cannot be read
         */
        SourceRetention read(Connection connection, double lagSeconds) throws SQLException;
    }

    /** The probe's longest wait for the source: a silent partition fails the heartbeat within this. */
    static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Probes in a row (5 s apart) that find the stream disconnected on the source while the pipeline streams, after
     * which the stream is taken for dead: a silent partition left its connection waiting for data that the source
     * stopped sending when its {@code wal_sender_timeout} ended the session.
     */
    static final int DISCONNECTED_PROBES = 6;

    /** Below this share of the source's retention limit left, the probe warns. */
    static final double LOW_HEADROOM = 0.25;

    private final Endpoint source;
    private final String pipeline;
    private final RetentionProbe retention;
    private final RetentionMonitor retentionMonitor;
    private final String upsertSql;
    private final PipelineMetrics metrics;
    private final LagMonitor lag;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "overlap-source-probe");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean paused;
    private Connection connection;
    private long ticks;
    private boolean failing;
    private boolean headroomLow;
    private boolean lostReported;
    private int disconnectedProbes;
    private BooleanSupplier streaming = () -> false;
    private Consumer<String> streamLost = message -> { };

    /**
     * @param source the source database
     * @param pipeline the pipeline, the heartbeat row's key
     * @param retention how what the source keeps is read, as the engine gives it
     * @param table the heartbeat table ({@link #createTable})
     * @param dialect the source's dialect
     * @param metrics where errors are counted
     * @param lag where the backlog goes, and the lag the retention is read with
     */
    public SourceProbe(Endpoint source, String pipeline, RetentionProbe retention, TableId table, SqlDialect dialect,
                       PipelineMetrics metrics, LagMonitor lag) {
        this.source = source;
        this.pipeline = pipeline;
        this.retention = retention;
        this.retentionMonitor = new RetentionMonitor(metrics);
        this.upsertSql = dialect.upsertRow(dialect.table(table), List.of("pipeline", "ts"));
        this.metrics = metrics;
        this.lag = lag;
    }

    /**
     * Creates the heartbeat table in the connection's current schema when it does not exist.
     *
     * @param connection a connection to the source or the target
     * @param schema the schema to create it in
     * @param dialect that database's dialect
     * @return the table
     * @throws SQLException when it cannot be created (missing CREATE privilege)
     */
    public static TableId createTable(Connection connection, String schema, SqlDialect dialect) throws SQLException {
        TableId table = new TableId(schema, TABLE);
        try (Statement st = connection.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + dialect.table(table)
                    + " (pipeline VARCHAR(64) PRIMARY KEY, ts " + dialect.timestampType() + " NOT NULL)");
        }
        return table;
    }

    /**
     * @param change a change applied to the target
     * @param table the heartbeat table
     * @param pipeline the pipeline whose heartbeats count
     * @return the daemon time the heartbeat carried, or {@code null} when the change is not one of this pipeline's heartbeats
     */
    public static Instant heartbeatTime(RowChange change, TableId table, String pipeline) {
        if (!change.table().equals(table) || change.op() == RowChange.Op.DELETE || !pipeline.equals(change.row().get("pipeline"))) {
            return null;
        }
        return change.row().get("ts") instanceof LocalDateTime ts ? ts.toInstant(ZoneOffset.UTC) : null;
    }

    /**
     * Watches the source's side of the stream: when the source sees it disconnected for {@link #DISCONNECTED_PROBES}
     * probes in a row while {@code streaming} holds, {@code lost} is told why (once).
     *
     * @param streaming whether the pipeline streams now
     * @param lost what to do with a stream the source no longer serves: stop it, so that a restart connects anew
     */
    public void watchStream(BooleanSupplier streaming, Consumer<String> lost) {
        this.streaming = streaming;
        this.streamLost = lost;
    }

    /**
     * Starts beating.
     *
     * @param intervalMs heartbeat interval, ms
     */
    public void start(long intervalMs) {
        scheduler.scheduleWithFixedDelay(this::tick, 0, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** @param pause whether to stop writing heartbeats (promote pauses them while the source is frozen) */
    public void pause(boolean pause) {
        paused = pause;
    }

    private void tick() {
        if (paused) {
            return;
        }
        try {
            if (connection == null) {
                connection = Connections.open(source, SOCKET_TIMEOUT);
            }
            try (PreparedStatement ps = connection.prepareStatement(upsertSql)) {
                ps.setString(1, pipeline);
                ps.setObject(2, LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS));
                ps.executeUpdate();
            }
            if (ticks++ % BACKLOG_EVERY_TICKS == 0) {
                probeRetention();
            }
            if (failing) {
                LOG.info("heartbeat to the source works again");
                failing = false;
            }
        } catch (SQLException | RuntimeException e) {
            metrics.error("heartbeat", "heartbeat to the source failed: " + e.getMessage());
            if (!failing) {
                LOG.warn("heartbeat to the source failed, retrying every second: {}", e.getMessage());
                failing = true;
            }
            closeConnection();
        }
    }

    private void probeRetention() throws SQLException {
        SourceRetention kept = retention.read(connection, lag.lagSeconds());
        if (kept.backlogBytes() >= 0) {
            lag.backlogBytes(kept.backlogBytes());
        }
        retentionMonitor.retention(kept.retainedBytes(), kept.headroom());
        disconnectedProbes = Boolean.FALSE.equals(kept.streamConnected()) && streaming.getAsBoolean() ? disconnectedProbes + 1 : 0;
        if (disconnectedProbes == DISCONNECTED_PROBES) {
            streamLost.accept("the source has served no stream to the pipeline for " + DISCONNECTED_PROBES * BACKLOG_EVERY_TICKS
                    + " s while it was streaming (replication slot inactive): its connection is taken for dead (a silent"
                    + " network partition); the stream stops and a restart resumes from the last committed batch");
        }
        if (kept.lost() != null) {
            if (!lostReported) {
                metrics.error("position_lost", kept.lost());
                LOG.error("source {}: {}; the changes since cannot be streamed: the pipeline needs a fresh initial copy"
                        + " (README, 'Source protection')", source.display(), kept.lost());
                lostReported = true;
            }
            return;
        }
        boolean low = kept.headroom() >= 0 && kept.headroom() < LOW_HEADROOM;
        if (low && !headroomLow) {
            LOG.warn("source {}: only {}% of {} is left before the source removes WAL/binlog the pipeline has not applied"
                            + " (retained {} MiB); bring the lag down or raise the limit, or the pipeline needs a fresh initial copy",
                    source.display(), Math.round(kept.headroom() * 100), kept.limit(), kept.retainedBytes() >> 20);
        } else if (!low && headroomLow) {
            LOG.info("source {}: the pipeline's position is well within {} again", source.display(), kept.limit());
        }
        headroomLow = low;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("closing the probe connection: {}", e.getMessage());
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeConnection();
    }
}
