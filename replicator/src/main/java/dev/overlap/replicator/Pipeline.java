package dev.overlap.replicator;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.overlap.lag.LagMonitor;
import dev.overlap.lag.MetricsServer;
import dev.overlap.lag.PipelineMetrics;
import dev.overlap.lag.PipelineState;
import dev.overlap.replicator.apply.Applier;
import dev.overlap.replicator.apply.SqlDialect;
import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.engine.SourceEngine;
import dev.overlap.replicator.offset.FailureStore;
import dev.overlap.replicator.offset.OffsetStore;
import dev.overlap.replicator.offset.StoredOffset;
import dev.overlap.replicator.offset.TargetOffsetBackingStore;
import dev.overlap.replicator.promote.Cutover;
import dev.overlap.replicator.promote.Promoter;
import dev.overlap.replicator.promote.PromotionStore;
import dev.overlap.replicator.source.SourceProbe;
import dev.overlap.replicator.source.SourceTable;
import dev.overlap.replicator.stream.ChangeBatch;
import dev.overlap.replicator.stream.ChangeStream;
import dev.overlap.replicator.stream.RowChange;
import dev.overlap.replicator.stream.TableId;
import dev.overlap.replicator.target.TargetCatalog;
import dev.overlap.replicator.target.TargetTable;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import java.io.IOException;
import java.net.BindException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running pipeline: ChangeStream → Applier → target, with its offsets, heartbeat and lag monitor,
 * metrics endpoint and connection pool, over the {@link SourceEngine} of the source (PostgreSQL, or
 * MySQL/MariaDB).
 *
 * <p>{@link #start()} first checks source and target (any problem is a {@link UserError} and nothing
 * is written), then decides where to start from the offset stored in the target:
 * <ul>
 *   <li>no stored offset: a new pipeline. What an earlier start left without an offset (a replication
 *       slot, a schema history) is cleared, and with {@code snapshot: initial} the target tables must be
 *       empty.</li>
 *   <li>an offset taken inside an unfinished initial snapshot: the snapshot restarts from scratch (the
 *       pipeline's partial copy is deleted from the target), so that no row is copied twice.</li>
 *   <li>an offset from streaming: the source must still have that position (slot, binlog); streaming
 *       resumes right after it.</li>
 * </ul>
 * A pipeline whose target was promoted refuses to start.
 */
public final class Pipeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    private static final long HEARTBEAT_INTERVAL_MS = 1_000;

    private final OverlapConfig config;
    private final PipelineMetrics metrics;
    private SourceEngine engine;
    private SqlDialect dialect;
    private List<SourceTable> streamed;
    private Map<TableId, TargetTable> targetTables;
    private OffsetStore offsets;
    private FailureStore failures;
    private StoredOffset stored;
    private volatile FailureStore.Failure lastFailure;
    private volatile Map<String, ?> appliedOffset;
    private List<TableId> userTables = List.of();
    private final Set<TableId> snapshotTablesSeen = ConcurrentHashMap.newKeySet();
    private TableId heartbeatTable;
    private LagMonitor lag;
    private SourceProbe probe;
    private HikariDataSource pool;
    private MetricsServer metricsServer;
    private ChangeStream stream;

    /**
     * @param config the validated configuration
     * @param metrics where the pipeline's metrics go
     */
    public Pipeline(OverlapConfig config, PipelineMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    /**
     * Checks both databases, opens the metrics endpoint and starts streaming at once, without the pause
     * after a failed start ({@link #prepare()} then {@link #stream()}; the daemon waits out that pause in between).
     *
     * @throws UserError when the configuration, a database or a grant is not right; nothing was written
     */
    public void start() {
        prepare();
        stream();
    }

    /**
     * Checks both databases, opens the metrics endpoint and decides where streaming starts.
     *
     * @return how long to wait before {@link #stream()}: zero, or, when the last start stopped on an apply
     *         failure at the position this one resumes from, the growing pause of {@link FailureStore}
     * @throws UserError when the configuration, a database or a grant is not right; nothing was written
     */
    public Duration prepare() {
        engine = SourceEngine.of(config);
        dialect = engine.dialect();
        List<SourceTable> tables = engine.preflight();
        heartbeatTable = engine.prepareHeartbeat();
        streamed = new ArrayList<>(tables);
        streamed.add(new SourceTable(heartbeatTable, List.of("pipeline", "ts"), List.of("pipeline"), List.of(), false));
        createTargetHeartbeatTable();
        targetTables = engine.preflightTarget(streamed);
        lag = new LagMonitor(metrics, config.promote().maxLag());
        metricsServer = startMetrics();
        LOG.info("pipeline {}: {} tables from {} ({}) to {}", config.pipeline(), tables.size(), config.source().display(),
                engine.describe(), config.target().display());
        pool = targetPool();
        offsets = new OffsetStore(config.pipeline(), dialect);
        failures = new FailureStore(config.pipeline(), dialect);
        Map<TableId, TargetTable> userTargetTables = new LinkedHashMap<>(targetTables);
        userTargetTables.remove(heartbeatTable);
        userTables = List.copyOf(userTargetTables.keySet());
        refuseIfPromoted();
        stored = resumePoint(engine, offsets, userTargetTables);
        appliedOffset = stored == null ? null : stored.offset();
        TargetOffsetBackingStore.register(config.pipeline(), stored);
        engine.registerStores(pool);
        return lastFailure == null ? Duration.ZERO : lastFailure.pause();
    }

    /** Starts streaming from where {@link #prepare()} decided. */
    public void stream() {
        startStream(engine.engineProperties(streamed), streamed, targetTables, offsets, stored);
        probe = engine.probe(heartbeatTable, metrics, lag, () -> appliedOffset);
        probe.start(HEARTBEAT_INTERVAL_MS);
        LOG.info("metrics on http://{}:{}/metrics", metricsServer.address().getHostString(), metricsServer.address().getPort());
    }

    /** @return the failure the last start stopped on at this start's position, or {@code null}; after {@link #prepare()} */
    public FailureStore.Failure lastFailure() {
        return lastFailure;
    }

    /**
     * Records on the target that the pipeline stops on this failure, so that the next start at the same
     * position waits first. Best effort: a target that cannot be written is logged.
     *
     * @param error the failure's one line, without row values
     */
    public void recordFailure(String error) {
        try (Connection c = pool.getConnection()) {
            failures.record(c, appliedOffset, error);
        } catch (SQLException e) {
            LOG.warn("cannot record the failure on the target (SQLState {})", e.getSQLState());
        }
    }

    /** Starts the change stream into the Applier, in the state the stored offset implies. */
    private void startStream(java.util.Properties engineProperties, List<SourceTable> streamed,
                             Map<TableId, TargetTable> targetTables, OffsetStore offsets, StoredOffset stored) {
        int tableCount = streamed.size() - 1;
        Applier applier = new Applier(pool, dialect, streamed, targetTables, offsets, metrics);
        if (stored == null && config.snapshot() == OverlapConfig.SnapshotMode.INITIAL) {
            metrics.state(PipelineState.SNAPSHOTTING);
            metrics.snapshotTablesRemaining(tableCount);
        } else {
            metrics.state(PipelineState.STREAMING);
        }
        stream = new ChangeStream(engineProperties, batch -> {
            ChangeBatch amended = engine.amend(batch);
            applier.apply(amended);
            afterCommit(amended, tableCount);
        });
        stream.start();
    }

    /**
     * Decides where the stream starts from the offset stored in the target: no offset is a new pipeline
     * (the engine clears what an earlier start left; target tables must be empty for the initial
     * snapshot); an offset inside an unfinished snapshot restarts the snapshot from scratch (the partial
     * copy is deleted); any other offset must still be available on the source.
     *
     * @return the offset to resume from, or {@code null} for a new pipeline
     */
    private StoredOffset resumePoint(SourceEngine engine, OffsetStore offsets, Map<TableId, TargetTable> tables) {
        try (Connection c = pool.getConnection()) {
            try {
                offsets.createTable(c);
                failures.createTable(c);
                engine.createTargetTables(c);
                c.commit();
            } catch (SQLException e) {
                throw new UserError("target " + config.target().display() + ": cannot create Overlap's tables (" + e.getMessage()
                        + "); grant the user CREATE on the target's schema");
            }
            Optional<StoredOffset> stored = offsets.load(c);
            lastFailure = failures.at(c, stored.map(StoredOffset::offset).orElse(null)).orElse(null);
            c.commit();
            engine.beforeResume();
            if (stored.isPresent() && stored.get().snapshotInProgress()) {
                LOG.warn("the initial snapshot of pipeline {} was interrupted; restarting it from scratch", config.pipeline());
                clearPartialSnapshot(c, offsets, tables);
                stored = Optional.empty();
            }
            if (stored.isEmpty()) {
                engine.startFresh(c);
                c.commit();
                requireEmptyTargets(c, tables);
                return null;
            }
            engine.checkResumable(c, stored.get());
            c.commit();
            LOG.info("resuming pipeline {} from {}", config.pipeline(), describe(stored.get().offset()));
            return stored.get();
        } catch (SQLException e) {
            throw Connections.explain(config.target(), e);
        }
    }

    /** Deletes the rows of an interrupted initial snapshot and its offset, so that it starts again from scratch. */
    private void clearPartialSnapshot(Connection c, OffsetStore offsets, Map<TableId, TargetTable> tables) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (TableId id : tables.keySet()) {
                st.executeUpdate("DELETE FROM " + dialect.table(id));
            }
        }
        offsets.delete(c);
        c.commit();
    }

    /** A new pipeline with {@code snapshot: initial} needs empty target tables; logs how it starts. */
    private void requireEmptyTargets(Connection c, Map<TableId, TargetTable> tables) throws SQLException {
        TableId nonEmpty = config.snapshot() == OverlapConfig.SnapshotMode.INITIAL
                ? TargetCatalog.firstNonEmpty(c, dialect, tables.keySet()) : null;
        c.commit();
        if (nonEmpty != null) {
            throw new UserError("target " + config.target().display() + ": table " + nonEmpty + " already holds rows,"
                    + " but the initial snapshot needs empty target tables; truncate them on the target, or set snapshot: never"
                    + " if the target already holds the data");
        }
        LOG.info("new pipeline {}: {}", config.pipeline(), config.snapshot() == OverlapConfig.SnapshotMode.INITIAL
                ? "initial snapshot, then streaming" : "streaming from now on, no snapshot");
    }

    /** @return the pipeline's lag monitor, once started */
    public LagMonitor lag() {
        return lag;
    }

    /** @return the pipeline's metrics */
    public PipelineMetrics metrics() {
        return metrics;
    }

    /** @return the SQL dialect of source and target */
    public SqlDialect dialect() {
        return dialect;
    }

    /** @return the heartbeat table, on the source and the target, once started */
    public TableId heartbeatTable() {
        return heartbeatTable;
    }

    /** @return the replicated tables (without Overlap's own), once started */
    public List<TableId> tables() {
        return userTables;
    }

    /** @param pause whether the heartbeat writer stops writing to the source */
    public void pauseHeartbeat(boolean pause) {
        probe.pause(pause);
    }

    /**
     * Registers an admin action on the metrics endpoint ({@code POST}, bearer {@code admin.token}).
     *
     * @param path e.g. {@code /promote}
     * @param action what runs
     */
    public void admin(String path, MetricsServer.AdminAction action) {
        metricsServer.admin(path, config.adminToken() == null ? null : config.adminToken().reveal(), action);
    }

    /** Stops the change stream after the batch in hand (promote's STOP_STREAM); the endpoint keeps serving. */
    public void stopStream() {
        probe.close();
        stream.close();
    }

    /** @return the address of the metrics endpoint, once started */
    public java.net.InetSocketAddress metricsAddress() {
        return metricsServer.address();
    }

    /**
     * Waits until the stream stops.
     *
     * @param timeoutMs most time to wait, ms
     * @return whether it stopped
     * @throws InterruptedException when interrupted
     */
    public boolean await(long timeoutMs) throws InterruptedException {
        return stream.await(timeoutMs);
    }

    /** @return what stopped the stream, or {@code null} */
    public Throwable failure() {
        return stream == null ? null : stream.failure();
    }

    /** Bookkeeping after a batch committed: heartbeat lag, position, snapshot progress and state. */
    private void afterCommit(ChangeBatch batch, int tableCount) {
        for (RowChange change : batch.changes()) {
            Instant heartbeat = SourceProbe.heartbeatTime(change, heartbeatTable, config.pipeline());
            if (heartbeat != null) {
                lag.heartbeatApplied(heartbeat);
            } else if (change.op() == RowChange.Op.READ && metrics.state() == PipelineState.SNAPSHOTTING
                    && snapshotTablesSeen.add(change.table())) {
                metrics.snapshotTablesRemaining(tableCount - snapshotTablesSeen.size() + 1);
            }
        }
        appliedOffset = batch.offset();
        metrics.position(describe(batch.offset()));
        if (lastFailure != null) {
            forgetFailure();
        }
        if (metrics.state() == PipelineState.SNAPSHOTTING
                && !new StoredOffset(Map.of(), Map.copyOf(batch.offset())).snapshotInProgress()) {
            metrics.state(PipelineState.STREAMING);
            LOG.info("initial snapshot finished; streaming");
        }
    }

    /** A batch committed after a failed start: the failure is history. */
    private void forgetFailure() {
        try (Connection c = pool.getConnection()) {
            failures.clear(c);
            c.commit();
            lastFailure = null;
        } catch (SQLException e) {
            LOG.warn("cannot clear the recorded failure on the target (SQLState {}); retried after the next batch", e.getSQLState());
        }
    }

    /**
     * @return a PostgreSQL LSN as {@code lsn 0/16B3748}, a binlog position as {@code binlog binlog.000003:1234}
     *         (with {@code gtids …} when GTIDs are on), any other offset as its map
     */
    private static String describe(Map<String, ?> offset) {
        if (offset.get("file") != null && offset.get("pos") != null) {
            Object gtids = offset.get("gtids");
            return "binlog " + offset.get("file") + ":" + offset.get("pos") + (gtids == null ? "" : " gtids " + gtids);
        }
        Object lsn = offset.get("lsn");
        if (lsn instanceof Number n) {
            long value = n.longValue();
            return "lsn " + Long.toHexString(value >>> 32).toUpperCase(Locale.ROOT) + "/"
                    + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase(Locale.ROOT);
        }
        return offset.toString();
    }

    /**
     * A promoted pipeline never replicates again onto its target, now the master; a freeze left by a
     * promote whose daemon died is rolled back first.
     */
    private void refuseIfPromoted() {
        PromotionStore store = new PromotionStore(config.pipeline(), dialect);
        try (Connection c = pool.getConnection()) {
            Promoter.rollBackInterruptedFreeze(config, store,
                    Cutover.of(config, dialect));
            Optional<PromotionStore.Promotion> promotion = store.load(c);
            c.commit();
            if (promotion.isPresent() && "promoted".equals(promotion.get().state())) {
                throw new UserError("pipeline " + config.pipeline() + " was promoted: the target is the master now and nothing"
                        + " replicates onto it; to replicate again, DELETE FROM " + PromotionStore.TABLE + " WHERE pipeline = '"
                        + config.pipeline() + "' on the target (and start from empty target tables)");
            }
        } catch (SQLException e) {
            throw Connections.explain(config.target(), e);
        }
    }

    private void createTargetHeartbeatTable() {
        try (Connection c = Connections.open(config.target())) {
            SourceProbe.createTable(c, heartbeatTable.schema(), dialect);
        } catch (SQLException e) {
            throw new UserError("target " + config.target().display() + ": cannot create " + heartbeatTable + " ("
                    + e.getMessage() + "); grant the user CREATE on schema " + heartbeatTable.schema());
        }
    }

    private HikariDataSource targetPool() {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("overlap-target");
        hikari.setJdbcUrl(config.target().url());
        hikari.setUsername(config.target().user());
        hikari.setPassword(config.target().password().reveal());
        hikari.setAutoCommit(false);
        hikari.setMaximumPoolSize(2);
        // a dead target is noticed within 5 s (the default waits 30 s); the Applier then keeps retrying
        hikari.setConnectionTimeout(5_000);
        hikari.setConnectionInitSql(dialect.applySessionSql());
        hikari.addDataSourceProperty("stringtype", "unspecified");
        hikari.addDataSourceProperty("ApplicationName", "overlap-" + config.pipeline());
        if (config.target().engine() == dev.overlap.replicator.config.Engine.POSTGRESQL) {
            // error messages without the server's detail, which quotes row values (Key (email)=(…))
            hikari.addDataSourceProperty("logServerErrorDetail", "false");
        }
        hikari.setMetricRegistry(metrics.registry());
        return new HikariDataSource(hikari);
    }

    private MetricsServer startMetrics() {
        new JvmMemoryMetrics().bindTo(metrics.registry());
        new JvmGcMetrics().bindTo(metrics.registry());
        new JvmThreadMetrics().bindTo(metrics.registry());
        try {
            return MetricsServer.start(config.metricsListen(), metrics, lag);
        } catch (BindException e) {
            throw new UserError("metrics.listen " + config.metricsListen().getHostString() + ":" + config.metricsListen().getPort()
                    + " is in use; stop what listens there or set metrics.listen to a free port");
        } catch (IOException e) {
            throw new UserError("metrics.listen " + config.metricsListen() + ": " + e.getMessage());
        }
    }

    /** Stops streaming after the batch in hand, then closes the endpoint and the pool. */
    @Override
    public void close() {
        if (probe != null) {
            probe.close();
        }
        if (stream != null) {
            stream.close();
        }
        if (metricsServer != null) {
            metricsServer.close();
        }
        if (pool != null) {
            pool.close();
        }
        if (engine != null) {
            engine.close();
        }
        metrics.state(PipelineState.STOPPED);
    }
}
