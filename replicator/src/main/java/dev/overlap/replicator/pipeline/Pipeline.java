package dev.overlap.replicator.pipeline;

import com.zaxxer.hikari.HikariDataSource;
import dev.overlap.lag.LagMonitor;
import dev.overlap.lag.PipelineMetrics;
import dev.overlap.replicator.UserError;
import dev.overlap.replicator.apply.Applier;
import dev.overlap.replicator.catalog.SourceTable;
import dev.overlap.replicator.catalog.TableCatalog;
import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.catalog.TargetTable;
import dev.overlap.replicator.config.Endpoint;
import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.copy.CopyProgressStore;
import dev.overlap.replicator.copy.InitialCopy;
import dev.overlap.replicator.engine.Engine;
import dev.overlap.replicator.engine.Engines;
import dev.overlap.replicator.heartbeat.SourceProbe;
import dev.overlap.replicator.http.DaemonHttpServer;
import dev.overlap.replicator.jdbc.Connections;
import dev.overlap.replicator.lifecycle.Lifecycle;
import dev.overlap.replicator.lifecycle.PipelineState;
import dev.overlap.replicator.offset.FailureStore;
import dev.overlap.replicator.offset.OffsetStore;
import dev.overlap.replicator.offset.SourcePosition;
import dev.overlap.replicator.offset.StoredOffset;
import dev.overlap.replicator.offset.TargetOffsetBackingStore;
import dev.overlap.replicator.promote.CutoverVerification;
import dev.overlap.replicator.promote.PipelineControl;
import dev.overlap.replicator.promote.Promoter;
import dev.overlap.replicator.promote.PromotionGuard;
import dev.overlap.replicator.promote.PromotionStore;
import dev.overlap.replicator.sql.SqlDialect;
import dev.overlap.replicator.stream.ChangeBatch;
import dev.overlap.replicator.stream.ChangeStream;
import dev.overlap.replicator.stream.RowChange;
import dev.overlap.replicator.stream.SchemaChange;
import dev.overlap.replicator.verify.ChangedKeys;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pipeline, wired: ChangeStream → Applier → target, with its offsets, heartbeat and lag monitor,
 * HTTP server and connection pool, over the {@link Engine} the source and target call for
 * (docs/ARCHITECTURE.md, "The pipeline").
 *
 * <p>{@link #prepare()} checks source and target (any problem is a {@link UserError} and nothing is
 * written), rolls back a freeze an interrupted promote left and refuses a promoted pipeline
 * ({@link PromotionGuard}), and decides where to start ({@link ResumePoint}); {@link #stream()} then
 * starts the change stream and the heartbeat. The pipeline owns its {@link Lifecycle}, which the
 * metrics observe and the cutover ({@link #promoter()}, through {@link PipelineControl}) moves on.
 */
public final class Pipeline implements PipelineControl, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    private static final long HEARTBEAT_INTERVAL_MS = 1_000;

    private final OverlapConfig config;
    private final PipelineMetrics metrics;
    private final Lifecycle lifecycle = new Lifecycle();
    private Engine engine;
    private SqlDialect dialect;
    private List<SourceTable> streamed;
    private Map<TableId, TargetTable> targetTables;
    private volatile List<TableId> userTables = List.of();
    private TableId heartbeatTable;
    private OffsetStore offsets;
    private FailureStore failures;
    private CopyProgressStore copyProgress;
    private volatile InitialCopy copy;
    private volatile boolean stopping;
    private ResumePoint resume;
    private volatile FailureStore.Failure lastFailure;
    /** The Debezium offset of the last committed batch, or the stored one before the first; {@code null} for a new pipeline. */
    private volatile Map<String, ?> appliedOffset;
    /** The offset of the batch being applied, until it commits; what a failure is recorded at. */
    private volatile Map<String, ?> inFlight;
    private LagMonitor lag;
    private SourceProbe probe;
    private HikariDataSource pool;
    private DaemonHttpServer server;
    private ChangeStream stream;
    private DaemonLock daemonLock;
    /** The keys the stream wrote since each verification pass began, for the cutover's re-check. */
    private final ChangedKeys changedKeys = new ChangedKeys();
    private CutoverVerification verification;
    private boolean closed;

    /**
     * @param config the validated configuration
     * @param metrics where the pipeline's metrics go; they observe its life-cycle state
     */
    public Pipeline(OverlapConfig config, PipelineMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        metrics.observeState(() -> lifecycle.state().label(), PipelineState.labels());
    }

    /**
     * Checks both databases, opens the HTTP server and starts streaming at once, without the pause after a
     * failed start ({@link #prepare()} then {@link #stream()}; the daemon waits out that pause in between).
     *
     * @throws UserError when the configuration, a database or a grant is not right; nothing was written, and what was
     *         opened (the daemon lock, the HTTP server, the pool) is closed again
     */
    public void start() {
        try {
            prepare();
            stream();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** One warning at start for a remote endpoint whose server certificate is not checked (README, "TLS"). */
    private static void warnIfUnverified(Endpoint endpoint) {
        if (!endpoint.loopback() && (endpoint.tls() == null || !endpoint.tls().mode().verifies())) {
            LOG.warn("{} {}: the server's certificate is not checked ({}.tls.mode is {}); between hosting providers set"
                            + " {}.tls to {mode: verify-full, ca: <the server CA file>}", endpoint.role(), endpoint.display(),
                    endpoint.role(), endpoint.tls() == null ? "not set" : endpoint.tls().mode().text(), endpoint.role());
        }
    }

    /**
     * Checks both databases, opens the HTTP server and decides where streaming starts.
     *
     * @return how long to wait before {@link #stream()}: zero, or, when the last start stopped on a failure,
     *         the growing pause of {@link FailureStore}
     * @throws UserError when the configuration, a database or a grant is not right; nothing was written
     */
    public Duration prepare() {
        engine = Engines.connect(config);
        dialect = engine.dialect();
        daemonLock = DaemonLock.acquire(config.target(), dialect, config.pipeline());
        // first: an interrupted promote may have left the source frozen, which the preflight's writes would meet
        try {
            PromotionGuard.checkStart(config, new PromotionStore(config.pipeline(), dialect), engine.cutover());
        } catch (SQLException e) {
            throw Connections.explain(config.target(), e);
        }
        List<SourceTable> tables = engine.preflightSource();
        heartbeatTable = engine.prepareHeartbeat();
        streamed = new ArrayList<>(tables);
        streamed.add(new SourceTable(heartbeatTable, List.of("pipeline", "ts"), List.of("pipeline"), List.of(), false));
        createTargetHeartbeatTable();
        offsets = new OffsetStore(config.pipeline(), dialect);
        boolean resuming = resuming();
        if (!resuming && copiesSchema(tables)) {
            engine.copySchema(tables);
        }
        targetTables = engine.preflightTarget(streamed, resuming);
        lag = new LagMonitor(metrics, config.promote().maxLag(), () -> lifecycle.state() == PipelineState.STREAMING);
        server = startServer();
        LOG.info("pipeline {}: {} tables from {} ({}) to {}", config.pipeline(), tables.size(), config.source().display(),
                engine.describe(), config.target().display());
        warnIfUnverified(config.source());
        warnIfUnverified(config.target());
        pool = TargetPool.open(config, dialect, metrics.registry());
        failures = new FailureStore(config.pipeline(), dialect);
        copyProgress = new CopyProgressStore(config.pipeline(), dialect);
        Map<TableId, TargetTable> userTargetTables = new LinkedHashMap<>(targetTables);
        userTargetTables.remove(heartbeatTable);
        userTables = List.copyOf(userTargetTables.keySet());
        resume = ResumePoint.decide(config, engine, dialect, pool, new ResumePoint.Stores(offsets, failures, copyProgress), userTables);
        lastFailure = resume.lastFailure();
        appliedOffset = resume.stored() == null ? null : resume.stored().offset();
        TargetOffsetBackingStore.register(config.pipeline(), resume.stored());
        engine.registerStores(pool);
        return lastFailure == null ? Duration.ZERO : lastFailure.pause();
    }

    /**
     * Runs the initial copy of a new pipeline ({@code snapshot.mode: initial}), then starts streaming from where
     * {@link #prepare()} or the copy left off, and the heartbeat.
     *
     * @throws UserError when the initial copy fails (one line: the table, the SQL state, the fix)
     * @throws InitialCopy.CopyStopped when {@link #stopCopy()} stopped the initial copy; nothing is stored
     */
    public void stream() {
        if (resume.stored() == null && config.snapshot().mode() == OverlapConfig.SnapshotMode.INITIAL) {
            lifecycle.enter(PipelineState.SNAPSHOTTING);
            copyThenResume();
        }
        lifecycle.enter(PipelineState.STREAMING);
        Applier applier = new Applier(pool, dialect, streamed, targetTables, offsets, metrics);
        stream = new ChangeStream(engine.connectorProperties(streamed), batch -> {
            daemonLock.check();
            inFlight = batch.offset();
            ChangeBatch amended = followed(engine.amend(batch));
            applier.apply(amended);
            changedKeys.record(amended);
            if (amended.schemaChange()) {
                userTables = applier.knownTables().stream().filter(t -> config.tables().selects(t.schema(), t.table())).toList();
            }
            afterCommit(amended);
        });
        stream.start();
        probe = new SourceProbe(config.source(), config.pipeline(), engine.retention(() -> SourcePosition.of(appliedOffset)), heartbeatTable,
                engine.sourceDialect(), metrics, lag);
        probe.watchStream(() -> lifecycle.state() == PipelineState.STREAMING, message -> {
            LOG.error("pipeline {}: {}", config.pipeline(), message);
            new Thread(() -> stream.abort(new IllegalStateException(message)), "overlap-stream-abort").start();
        });
        probe.start(HEARTBEAT_INTERVAL_MS);
        verification = new CutoverVerification(config, engine.checksumDialect(),
                engine.watermark(() -> Connections.open(config.target(), config.promote().timeout())), dialect, targetTables,
                changedKeys, this);
        if (config.promote().verify() == OverlapConfig.VerifyMode.EXACT) {
            verification.schedule(config.promote().verifyInterval(), () -> lifecycle.state() == PipelineState.STREAMING);
        }
        LOG.info("metrics on http://{}:{}/metrics", server.address().getHostString(), server.address().getPort());
    }

    /** Copies the selected tables ({@link InitialCopy}) and resumes from the offset the copy stored, as a restart would. */
    private void copyThenResume() {
        List<SourceTable> selected = streamed.stream().filter(t -> !t.id().equals(heartbeatTable)).toList();
        Map<TableId, TargetTable> copied = new LinkedHashMap<>(targetTables);
        copied.remove(heartbeatTable);
        InitialCopy initial = new InitialCopy(config, engine.snapshotCopier(), engine.sourceDialect(), dialect, metrics);
        copy = initial;
        if (stopping) {
            throw new InitialCopy.CopyStopped();
        }
        StoredOffset stored = initial.run(selected, copied, offsets, copyProgress);
        copy = null;
        try (Connection c = pool.getConnection()) {
            engine.checkResumable(c, stored);
            c.commit();
        } catch (SQLException e) {
            throw Connections.explain(config.target(), e);
        }
        resume = new ResumePoint(stored, resume.lastFailure());
        appliedOffset = stored.offset();
        metrics.position(stored.position().describe());
        TargetOffsetBackingStore.register(config.pipeline(), stored);
    }

    /** Stops a running initial copy (SIGTERM): the chunks in hand roll back, and {@link #stream()} throws. */
    public void stopCopy() {
        stopping = true;
        InitialCopy running = copy;
        if (running != null) {
            running.stop();
        }
    }

    /** @return the cutover of this pipeline, served on {@code POST /promote} by the daemon */
    public Promoter promoter() {
        return new Promoter(config, this, engine.cutover(), new PromotionStore(config.pipeline(), dialect), verification,
                config.promote().reverse() ? new ReverseStartPoint(config) : null);
    }

    /**
     * {@code POST /promote} while the reverse direction runs: the forward promote is done, so its stored report is the
     * answer, as for a second promote after a forward-only one.
     *
     * @param query ignored
     * @return 200 with the forward direction's promoted report, or 409 when it cannot be read
     */
    public DaemonHttpServer.AdminResponse promotedReport(String query) {
        OverlapConfig forward = config.reversed();
        try (Connection c = Connections.open(forward.target(), config.promote().timeout())) {
            return new PromotionStore(forward.pipeline(), dialect).load(c).filter(p -> p.report() != null)
                    .map(p -> new DaemonHttpServer.AdminResponse(200, p.report()))
                    .orElse(new DaemonHttpServer.AdminResponse(409, "{\"error\": \"no promote report stored\"}"));
        } catch (SQLException | UserError e) {
            return new DaemonHttpServer.AdminResponse(409, "{\"error\": \"the promote report cannot be read\"}");
        }
    }

    /** @return the failure the last start stopped on, or {@code null}; after {@link #prepare()} */
    public FailureStore.Failure lastFailure() {
        return lastFailure;
    }

    /**
     * Records on the target that the pipeline stops on this failure, at the batch being applied, so that the
     * next start waits first. Best effort: a target that cannot be written is logged.
     *
     * @param error the failure's one line, without row values
     */
    public void recordFailure(String error) {
        try (Connection c = pool.getConnection()) {
            failures.record(c, inFlight, error);
        } catch (SQLException e) {
            LOG.warn("cannot record the failure on the target (SQLState {})", e.getSQLState());
        }
    }

    @Override
    public Lifecycle lifecycle() {
        return lifecycle;
    }

    @Override
    public LagMonitor lag() {
        return lag;
    }

    @Override
    public PipelineMetrics metrics() {
        return metrics;
    }

    @Override
    public TableId heartbeatTable() {
        return heartbeatTable;
    }

    @Override
    public List<TableId> tables() {
        return userTables;
    }

    @Override
    public void pauseHeartbeat(boolean pause) {
        probe.pause(pause);
    }

    @Override
    public void stopStream() {
        probe.close();
        stream.close();
    }

    @Override
    public Throwable failure() {
        return stream == null ? null : stream.failure();
    }

    /**
     * Registers an admin action on the HTTP server ({@code POST}, bearer {@code admin.token}).
     *
     * @param path e.g. {@code /promote}
     * @param action what runs
     */
    public void admin(String path, DaemonHttpServer.AdminAction action) {
        server.admin(path, action);
    }

    /** @return the address of the HTTP server, once prepared */
    public InetSocketAddress httpAddress() {
        return server.address();
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

    /**
     * @return the batch without the DDL statements the pipeline does not follow (another pipeline's on PostgreSQL, or
     *         on MySQL/MariaDB one on no selected table): with none left, the batch's position alone
     */
    private ChangeBatch followed(ChangeBatch batch) {
        List<SchemaChange> followed = new ArrayList<>();
        for (SchemaChange ddl : batch.schemaChanges()) {
            if (ddl.pipeline() != null ? ddl.pipeline().equals(config.pipeline())
                    : ddl.tables().stream().anyMatch(t -> config.tables().selects(t.schema(), t.table()))) {
                followed.add(ddl);
            } else if (ddl.pipeline() == null) {
                LOG.info("the source's {} at {} touches no selected table {}; not applied", ddl.command(),
                        SourcePosition.of(batch.offset()).describe(), ddl.tables());
            }
        }
        return followed.size() == batch.schemaChanges().size() ? batch
                : new ChangeBatch(List.of(), batch.partition(), batch.offset(), batch.records(), List.copyOf(followed));
    }

    /** Bookkeeping after a batch committed: heartbeat lag, position, the failure forgotten. */
    private void afterCommit(ChangeBatch batch) {
        for (RowChange change : batch.changes()) {
            Instant heartbeat = SourceProbe.heartbeatTime(change, heartbeatTable, config.pipeline());
            if (heartbeat != null) {
                lag.heartbeatApplied(heartbeat);
            }
        }
        appliedOffset = batch.offset();
        inFlight = null;
        metrics.position(SourcePosition.of(batch.offset()).describe());
        if (lastFailure != null && SourcePosition.reached(batch.offset(), lastFailure.failedAt())
                && batch.changes().stream().anyMatch(c -> !c.table().equals(heartbeatTable))) {
            forgetFailure();
        }
    }

    /** A batch with row changes committed at or past the change the last start failed on: the failure is history. */
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
     * @return whether a new pipeline creates the selected tables the target lacks: {@code schema: copy}, or by default
     *         when the target has none of them
     */
    private boolean copiesSchema(List<SourceTable> selected) {
        if (config.schema() != null) {
            return config.schema() == OverlapConfig.SchemaMode.COPY;
        }
        try (Connection c = Connections.open(config.target())) {
            for (SourceTable table : selected) {
                if (TableCatalog.exists(c, dialect.targetTable(c, table.id()))) {
                    return false;
                }
            }
            return true;
        } catch (SQLException e) {
            throw Connections.explain(config.target(), e);
        }
    }

    /** @return whether the target holds an offset of this pipeline, before the pool and the stores are set up */
    private boolean resuming() {
        try (Connection c = Connections.open(config.target())) {
            offsets.createTable(c);
            return offsets.load(c).isPresent();
        } catch (SQLException e) {
            throw Connections.explain(config.target(), e);
        }
    }

    private void createTargetHeartbeatTable() {
        try (Connection c = Connections.open(config.target())) {
            SourceProbe.createTable(c, heartbeatTable.schema(), dialect);
        } catch (SQLException e) {
            throw new UserError("target " + config.target().display() + ": cannot create " + heartbeatTable + " (SQLState "
                    + e.getSQLState() + "); grant the user CREATE on schema " + heartbeatTable.schema());
        }
    }

    private DaemonHttpServer startServer() {
        new JvmMemoryMetrics().bindTo(metrics.registry());
        new JvmGcMetrics().bindTo(metrics.registry());
        new JvmThreadMetrics().bindTo(metrics.registry());
        try {
            return DaemonHttpServer.start(config.metricsListen(),
                    config.metricsTls() == null ? null : config.metricsTls().serverContext(), metrics, lag,
                    config.adminToken() == null ? null : config.adminToken().reveal());
        } catch (BindException e) {
            throw new UserError("metrics.listen " + config.metricsListen().getHostString() + ":" + config.metricsListen().getPort()
                    + " is in use; stop what listens there or set metrics.listen to a free port");
        } catch (IOException e) {
            throw new UserError("metrics.listen " + config.metricsListen() + ": " + e.getMessage());
        }
    }

    /** Stops streaming after the batch in hand, then closes the HTTP server, the pool, the engine and the daemon lock; once. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopCopy();
        if (verification != null) {
            verification.close();
        }
        if (probe != null) {
            probe.close();
        }
        if (stream != null) {
            stream.close();
        }
        if (server != null) {
            server.close();
        }
        if (pool != null) {
            pool.close();
        }
        if (engine != null) {
            engine.close();
        }
        if (daemonLock != null) {
            daemonLock.close();
        }
        lifecycle.enter(PipelineState.STOPPED);
    }
}
