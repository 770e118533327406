package dev.overlap.replicator.promote;

import dev.overlap.checksum.ChangedRowComparer;
import dev.overlap.checksum.ChecksumDialect;
import dev.overlap.checksum.RowDifference;
import dev.overlap.checksum.TableName;
import dev.overlap.checksum.TableReport;
import dev.overlap.checksum.Verifier;
import dev.overlap.checksum.VerifyOptions;
import dev.overlap.checksum.VerifyProgress;
import dev.overlap.checksum.VerifyReport;
import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.catalog.TargetTable;
import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.sql.SqlDialect;
import dev.overlap.replicator.verify.ChangedKeys;
import dev.overlap.replicator.verify.EndpointDatabases;
import dev.overlap.replicator.verify.PipelineWatermark;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the cutover compares (README, "Cutover", {@code promote.verify}), and the exact verification that keeps the
 * freeze short ({@code exact}):
 * <ol>
 *   <li>a <em>pass</em>: the chunked-hash verifier over every table while the source takes writes, position-fenced by
 *       the pipeline's watermark (a difference counts only once the target applied past the source position it was
 *       read at), recording from its start the keys the stream writes ({@link ChangedKeys.Since}). Equal, it is the
 *       <em>baseline</em>. The daemon runs passes every {@code verify.interval}, and promote runs one before the
 *       freeze when there is no baseline, or its record holds more than {@value #REFRESH_KEYS} keys or a table to
 *       verify whole. A pass that finds a difference aborts the promote before anything is frozen, naming the keys;</li>
 *   <li>while frozen: only the rows the stream changed since the baseline began are compared, by key, on both
 *       sides ({@link ChangedRowComparer}); a table marked whole (TRUNCATE, DDL, no key, too many keys) is verified
 *       whole with the chunked hashes.</li>
 * </ol>
 * A row the stream did not change since the baseline began was equal when the pass read it and has not changed on
 * the source since, so it is still equal, unless someone wrote it on the target directly after the pass; that is
 * what a target kept read-only for the application (README, "Cutover") rules out.
 */
public final class CutoverVerification implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CutoverVerification.class);
    /** A baseline whose record holds more keys than this is refreshed by a new pass before the freeze. */
    static final long REFRESH_KEYS = 50_000;
    private static final int LISTED = 10;

    private final OverlapConfig config;
    private final ChecksumDialect checksums;
    private final PipelineWatermark watermark;
    private final SqlDialect dialect;
    private final Map<TableId, TargetTable> targetTables;
    private final ChangedKeys changed;
    private final PipelineControl pipeline;
    private Baseline baseline;
    private ScheduledExecutorService schedule;

    /** A pass that found every table equal, and the changes since it began. */
    private record Baseline(Instant began, ChangedKeys.Since since) {
    }

    /**
     * @param config the pipeline's configuration (endpoints, {@code promote.timeout} per call)
     * @param checksums the verifier's SQL
     * @param watermark the pipeline's watermark, for passes while the source takes writes
     * @param dialect the target's SQL dialect, which binds key values with their types
     * @param targetTables the replicated tables' shapes on the target, by source table
     * @param changed the stream's record of changed keys
     * @param pipeline the running pipeline: its tables and failure
     */
    public CutoverVerification(OverlapConfig config, ChecksumDialect checksums, PipelineWatermark watermark, SqlDialect dialect,
                               Map<TableId, TargetTable> targetTables, ChangedKeys changed, PipelineControl pipeline) {
        this.config = config;
        this.checksums = checksums;
        this.watermark = watermark;
        this.dialect = dialect;
        this.targetTables = targetTables;
        this.changed = changed;
        this.pipeline = pipeline;
    }

    /**
     * Runs a pass over every replicated table while the source takes writes; equal, it becomes the baseline.
     *
     * @param threads verify workers, each with a connection per side
     * @return the differences, one line per table naming the first keys; empty when equal
     * @throws SQLException when a database fails
     * @throws InterruptedException when interrupted
     */
    public List<String> pass(int threads) throws SQLException, InterruptedException {
        ChangedKeys.Since since = changed.start();
        Instant began = Instant.now();
        List<String> differences;
        try {
            differences = differences(verify(tableNames(pipeline.tables()), watermark, threads));
        } catch (SQLException | InterruptedException | RuntimeException e) {
            since.close();
            throw e;
        }
        synchronized (this) {
            if (!differences.isEmpty()) {
                since.close();
                return differences;
            }
            if (baseline != null) {
                baseline.since().close();
            }
            baseline = new Baseline(began, since);
        }
        LOG.info("verify: every table equal while streaming ({} s); the cutover re-checks only the rows changed since",
                (java.time.Duration.between(began, Instant.now()).toMillis()) / 1000.0);
        return differences;
    }

    /**
     * Runs a pass with one session per side every {@code interval}, the first one interval after the start, while
     * {@code streaming} holds; a pass that finds differences logs them by table (the keys are for
     * {@code overlap verify --rows}, not the log), a pass that fails logs why.
     *
     * @param interval time between passes; zero or negative for none
     * @param streaming whether the pipeline streams (no pass while it copies or promotes)
     */
    public synchronized void schedule(java.time.Duration interval, BooleanSupplier streaming) {
        if (interval.isZero() || interval.isNegative()) {
            return;
        }
        schedule = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "overlap-verify");
            t.setDaemon(true);
            return t;
        });
        schedule.scheduleWithFixedDelay(() -> {
            if (!streaming.getAsBoolean()) {
                return;
            }
            try {
                List<String> differences = pass(1);
                if (!differences.isEmpty()) {
                    LOG.warn("verify: {} tables differ while streaming: {}; overlap verify --rows names the rows, and promote"
                            + " aborts until they are equal", differences.size(),
                            differences.stream().map(CutoverVerification::withoutKeys).toList());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (SQLException e) {
                LOG.warn("verify: the pass while streaming failed (SQLState {}); the next one runs in {}", e.getSQLState(), interval);
            } catch (RuntimeException e) {
                LOG.warn("verify: the pass while streaming failed ({}); the next one runs in {}", e.getClass().getSimpleName(),
                        interval);
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the scheduled passes and lets the baseline go. */
    @Override
    public synchronized void close() {
        if (schedule != null) {
            schedule.shutdownNow();
        }
        if (baseline != null) {
            baseline.since().close();
            baseline = null;
        }
    }

    /**
     * Before the freeze: keeps a baseline that is small enough, else runs a pass.
     *
     * @return the differences the pass found, empty when equal or when the baseline is kept
     * @throws SQLException when a database fails
     * @throws InterruptedException when interrupted
     */
    List<String> beforeFreeze() throws SQLException, InterruptedException {
        synchronized (this) {
            if (baseline != null && baseline.since().size() <= REFRESH_KEYS && baseline.since().whole().isEmpty()) {
                LOG.info("promote: every table verified equal at {}; {} rows changed since are re-checked while frozen",
                        baseline.began(), baseline.since().size());
                return List.of();
            }
        }
        return pass(2);
    }

    /**
     * While frozen and caught up: compares the rows changed since the baseline began, and verifies whole the tables
     * marked so. Without a baseline (none was taken), every table is verified whole.
     *
     * @return the differences, one line per table naming the first keys; empty when equal
     * @throws SQLException when a database fails
     * @throws InterruptedException when interrupted
     */
    List<String> frozen() throws SQLException, InterruptedException {
        ChangedKeys.Since since;
        synchronized (this) {
            since = baseline == null ? null : baseline.since();
        }
        if (since == null) {
            return whole(pipeline.tables());
        }
        List<TableId> whole = new ArrayList<>();
        Set<TableId> changedWhole = since.whole();
        List<String> differences = new ArrayList<>();
        long compared = 0;
        EndpointDatabases databases = databases();
        try (Connection source = databases.openSource(); Connection target = databases.openTarget()) {
            checksums.prepareSession(source);
            checksums.prepareSession(target);
            ChangedRowComparer comparer = new ChangedRowComparer(checksums, LISTED);
            for (TableId table : pipeline.tables()) {
                if (changedWhole.contains(table) || !targetTables.containsKey(table)) {
                    whole.add(table);
                    continue;
                }
                List<List<Object>> keys = since.keys(table);
                if (keys.isEmpty()) {
                    continue;
                }
                List<String> keyColumns = since.keyColumns(table);
                TargetTable shape = targetTables.get(table);
                Optional<ChangedRowComparer.Outcome> outcome = comparer.compare(source, target, name(table), keyColumns, keys,
                        (ps, index, column, value) -> dialect.bind(ps, index, value, shape.column(keyColumns.get(column))));
                if (outcome.isEmpty()) {
                    whole.add(table);
                    continue;
                }
                compared += outcome.get().keys();
                if (outcome.get().differences() > 0) {
                    differences.add(table + ": " + outcome.get().differences() + " rows differ (" + listed(outcome.get().first())
                            + ")");
                }
            }
        }
        LOG.info("promote: re-checked {} rows changed since the baseline, {} tables whole", compared, whole.size());
        differences.addAll(whole(whole));
        return differences;
    }

    /**
     * {@code promote.verify: checksum}, and the tables {@link #frozen} cannot compare by key: the chunked hashes over
     * the given tables, without a watermark, as the source is frozen and the target caught up, so both are still.
     *
     * @param tables the tables
     * @return the differences, one line per table naming the first keys
     * @throws SQLException when a database fails
     * @throws InterruptedException when interrupted
     */
    List<String> whole(List<TableId> tables) throws SQLException, InterruptedException {
        return tables.isEmpty() ? List.of() : differences(verify(tableNames(tables), null, 2));
    }

    private VerifyReport verify(List<TableName> tables, PipelineWatermark live, int threads) throws SQLException, InterruptedException {
        try (VerifyProgress progress = VerifyProgress.forOutput(false)) {
            return new Verifier(checksums, databases(), VerifyOptions.defaults(threads, true, LISTED), live, progress)
                    .verify(tables);
        }
    }

    private EndpointDatabases databases() {
        return new EndpointDatabases(config.source(), config.target(), config.promote().timeout());
    }

    private static List<String> differences(VerifyReport report) {
        return report.tables().stream().filter(t -> !t.equal()).map(CutoverVerification::describe).toList();
    }

    /** @return e.g. {@code public.orders: 0 missing, 0 extra, 2 different rows (different {id=5}, different {id=9})} */
    private static String describe(TableReport table) {
        String line = table.table() + ": " + table.missingRows() + " missing, " + table.extraRows() + " extra, "
                + table.differentRows() + " different rows";
        if (!table.rowDifferences().isEmpty()) {
            return line + " (" + listed(table.rowDifferences()) + ")";
        }
        return table.note() != null ? line + " (" + table.note() + ")"
                : line + " (source " + table.sourceRows() + " rows, target " + table.targetRows() + ")";
    }

    private static String listed(List<RowDifference> rows) {
        return rows.stream().limit(LISTED).map(r -> r.kind() + " " + r.key()).collect(Collectors.joining(", "));
    }

    /**
     * @param difference a line of {@link #pass}, {@link #frozen} or {@link #whole}
     * @return the line without its list of keys, for logs and {@code /status}, which never show row values
     */
    static String withoutKeys(String difference) {
        int keys = difference.indexOf(" (");
        return keys < 0 ? difference : difference.substring(0, keys);
    }

    private static List<TableName> tableNames(List<TableId> tables) {
        return tables.stream().map(CutoverVerification::name).toList();
    }

    private static TableName name(TableId table) {
        return new TableName(table.schema(), table.table());
    }
}
