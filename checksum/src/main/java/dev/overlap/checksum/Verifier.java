package dev.overlap.checksum;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies that a target holds the same rows as a source (README, "Verifying"), table by table:
 * <ol>
 *   <li>describe each table on both sides (a table that cannot be compared is only counted);</li>
 *   <li>cut it into primary-key chunks sized to take about {@link VerifyOptions#chunkTime} each
 *       ({@link ChunkPlanner}, {@link ChunkSizer}), and compare each chunk's count and hash sum computed
 *       inside both databases ({@link ChecksumDialect});</li>
 *   <li>bisect a differing chunk down to rows and name the missing, extra and different keys
 *       ({@link ChunkComparer}), re-checking under live replication.</li>
 * </ol>
 * {@link VerifyOptions#threads} workers, each with one source and one target connection, share the
 * chunks of all tables (round robin over the tables), so both tables and chunks run in parallel; each
 * worker reads a chunk on both sides at once ({@link SideBySide}), except the re-checks under live
 * replication, which read the target only after the source. Memory
 * stays bounded: only digests, chunk bounds and the rows of ranges of at most
 * {@link VerifyOptions#bisectRows} rows reach the JVM.
 */
public final class Verifier {
    private static final Logger LOG = LoggerFactory.getLogger(Verifier.class);
    private final ChecksumDialect dialect;
    private final Databases databases;
    private final VerifyOptions options;
    private final ReplicationWatermark watermark;
    private final VerifyProgress progress;

    /**
     * @param dialect the SQL of both sides' engine
     * @param databases opens the connections
     * @param options how to run
     * @param watermark the replication watermark when replication runs during the verification, else {@code null}
     * @param progress where progress goes; started here, closed by the caller
     */
    public Verifier(ChecksumDialect dialect, Databases databases, VerifyOptions options, ReplicationWatermark watermark,
                    VerifyProgress progress) {
        this.dialect = dialect;
        this.databases = databases;
        this.options = options;
        this.watermark = watermark;
        this.progress = progress;
    }

    /** One table being verified: its schemas, counts, chunk plan and findings. */
    private static final class TableRun {
        final TableName name;
        final TableSchema source;
        final TableSchema targetAsDescribed;
        final TableSchema target;
        final String note;
        /** Null when the table is not compared. */
        final ChunkPlanner planner;
        final ChunkSizer sizer;
        final TableTally tally;
        volatile long sourceRows = -1;
        volatile long targetRows = -1;
        volatile long expectedRows;

        /**
         * @param source the table on the source, or null when missing there
         * @param targetAsDescribed the table on the target, or null when missing there
         * @param target the target's table aligned to the source's column order, or null when not comparable
         */
        TableRun(TableName name, TableSchema source, TableSchema targetAsDescribed, TableSchema target, String note,
                 VerifyOptions options, ChecksumDialect dialect) {
            this.name = name;
            this.source = source;
            this.targetAsDescribed = targetAsDescribed;
            this.target = target;
            this.note = note;
            this.sizer = new ChunkSizer(options.chunkTime(), options.initialChunkRows(),
                    Math.min(100, options.initialChunkRows()), 5_000_000);
            this.planner = target == null ? null : ChunkPlanner.of(source, dialect, sizer);
            this.tally = new TableTally(name.toString(), options.maxDifferences());
        }

        boolean comparable() {
            return source != null && target != null;
        }

        TableReport report() {
            return tally.report(sourceRows, targetRows, note, comparable());
        }
    }

    /** A worker's two connections, and a thread to read the target while the worker reads the source. */
    private record Worker(Connection source, Connection target, SideBySide sides) implements AutoCloseable {
        @Override
        public void close() throws SQLException {
            try (sides; source; target) {
                // closes all
            }
        }
    }

    /**
     * @param tables the tables to compare, as they exist on the source
     * @return the report, tables in the given order
     * @throws SQLException when a database fails (connection lost, permission denied...)
     * @throws InterruptedException when interrupted
     */
    public VerifyReport verify(List<TableName> tables) throws SQLException, InterruptedException {
        long start = System.nanoTime();
        List<Worker> workers = new ArrayList<>();
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(options.threads(), r -> {
            Thread t = new Thread(r, "verify-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            for (int i = 0; i < options.threads(); i++) {
                workers.add(openWorker(i + 1));
            }
            List<TableRun> runs = describe(workers.get(0), tables);
            ConcurrentLinkedQueue<TableRun> toSize = new ConcurrentLinkedQueue<>(runs);
            runAll(pool, workers, worker -> () -> {
                for (TableRun run = toSize.poll(); run != null; run = toSize.poll()) {
                    size(worker, run);
                }
                return null;
            });
            progress.start(runs.stream().mapToLong(r -> r.expectedRows).sum());
            Deque<TableRun> toChunk = new ArrayDeque<>(runs.stream().filter(TableRun::comparable).toList());
            runAll(pool, workers, worker -> () -> {
                chunks(worker, toChunk);
                return null;
            });
            List<TableReport> reports = runs.stream().map(TableRun::report).toList();
            int different = (int) reports.stream().filter(r -> !r.equal()).count();
            return new VerifyReport(different == 0, reports.size(), different,
                    reports.stream().mapToLong(r -> Math.max(0, r.sourceRows())).sum(),
                    Math.round((System.nanoTime() - start) / 1e6) / 1e3, watermark != null, reports);
        } finally {
            pool.shutdownNow();
            for (Worker worker : workers) {
                try {
                    worker.close();
                } catch (SQLException e) {
                    LOG.debug("closing a verify connection failed", e);
                }
            }
        }
    }

    private Worker openWorker(int number) throws SQLException {
        Connection source = databases.openSource();
        try {
            Connection target = databases.openTarget();
            Worker worker = new Worker(source, target, new SideBySide("verify-" + number + "-target"));
            dialect.prepareSession(source);
            dialect.prepareSession(target);
            return worker;
        } catch (SQLException | RuntimeException e) {
            source.close();
            throw e;
        }
    }

    private List<TableRun> describe(Worker worker, List<TableName> tables) throws SQLException {
        List<TableRun> runs = new ArrayList<>();
        for (TableName name : tables) {
            Optional<TableSchema> source = dialect.describe(worker.source(), name);
            Optional<TableSchema> target = dialect.describe(worker.target(), name);
            if (source.isEmpty() || target.isEmpty()) {
                runs.add(new TableRun(name, source.orElse(null), target.orElse(null), null,
                        "missing on the " + (source.isEmpty() ? "source" : "target"), options, dialect));
                continue;
            }
            TableSchema compared = source.get();
            Optional<TableSchema> aligned = align(compared, target.get());
            Optional<String> keyOrder = aligned.flatMap(a -> keyOrderDifference(source.get(), a));
            if (keyOrder.isPresent()) {
                compared = compared.withoutKey();
                aligned = aligned.map(TableSchema::withoutKey);
            }
            String note = aligned.isEmpty()
                    ? "columns or primary keys differ: source " + shape(source.get()) + ", target " + shape(target.get())
                    : keyOrder.isPresent() ? keyOrder.get()
                    : compared.hasKey() ? null
                    : "no primary key: compared as one whole-table count and hash; row-level differences need a key";
            runs.add(new TableRun(name, compared, target.get(), aligned.orElse(null), note, options, dialect));
            if (note != null) {
                LOG.warn("{}: {}", name, note);
            }
        }
        return runs;
    }

    /** @return the target's schema with columns and key in the source's order, or empty when they differ */
    static Optional<TableSchema> align(TableSchema source, TableSchema target) {
        Map<String, TableSchema.Column> byName = target.columns().stream()
                .collect(Collectors.toMap(TableSchema.Column::name, Function.identity()));
        if (!byName.keySet().equals(Set.copyOf(source.columnNames()))
                || !target.key().stream().map(TableSchema.Column::name).toList()
                .equals(source.key().stream().map(TableSchema.Column::name).toList())) {
            return Optional.empty();
        }
        return Optional.of(new TableSchema(target.name(), source.columns().stream().map(c -> byName.get(c.name())).toList(),
                target.key()));
    }

    /**
     * Key ranges are read in each side's order of the key, so where that order differs between the sides
     * the same range holds other rows on each side, and chunks and rows would differ that are equal: an
     * integer key on one side and a text key on the other, or a key column whose collation differs (say
     * {@code en_US.UTF-8} and {@code C}, or {@code utf8mb4_bin} and {@code utf8mb4_general_ci}).
     *
     * @param target the target's table aligned to the source's
     * @return the note for a table whose sides order its key differently, or empty when they agree
     */
    private Optional<String> keyOrderDifference(TableSchema source, TableSchema target) {
        String whole = ", so the sides order the keys differently: compared as one whole-table count and hash, without"
                + " row-level detail; give the target's key the source's ";
        if (dialect.integerKey(source) != dialect.integerKey(target)) {
            return Optional.of("primary key types differ (source " + keyTypes(source) + ", target " + keyTypes(target) + ")"
                    + whole + "type to compare it in chunks");
        }
        for (int i = 0; i < source.key().size(); i++) {
            TableSchema.Column onSource = source.key().get(i);
            TableSchema.Column onTarget = target.key().get(i);
            if (!Objects.equals(onSource.collation(), onTarget.collation())) {
                return Optional.of("primary key collations differ (" + onSource.name() + ": source " + onSource.collation()
                        + ", target " + onTarget.collation() + ")" + whole + "collation to compare it in chunks");
            }
        }
        return Optional.empty();
    }

    private static List<String> keyTypes(TableSchema table) {
        return table.key().stream().map(TableSchema.Column::type).toList();
    }

    private static String shape(TableSchema table) {
        return table.columnNames() + " key " + table.key().stream().map(TableSchema.Column::name).toList();
    }

    /**
     * A compared table gets the catalog's row estimate, for progress only: its counts are the sums of its
     * chunks' counts, so a separate {@code count(*)} pass (a full scan per side, about a fifth of the
     * work on InnoDB) would be wasted. A table that is not compared is counted for the report.
     */
    private void size(Worker worker, TableRun run) throws SQLException, InterruptedException {
        if (run.comparable()) {
            run.expectedRows = dialect.estimateRows(worker.source(), run.source);
            return;
        }
        if (run.source != null && run.targetAsDescribed != null) {
            SideBySide.Pair<Long> rows = worker.sides().read(() -> new TableSide(worker.source(), dialect, run.source).count(),
                    () -> new TableSide(worker.target(), dialect, run.targetAsDescribed).count());
            run.sourceRows = rows.source();
            run.targetRows = rows.target();
        } else if (run.source != null) {
            run.sourceRows = new TableSide(worker.source(), dialect, run.source).count();
        } else if (run.targetAsDescribed != null) {
            run.targetRows = new TableSide(worker.target(), dialect, run.targetAsDescribed).count();
        }
    }

    /**
     * Takes chunks round robin over the tables until every table is covered. The next chunk of a table is
     * planned outside the lock on the tables, so that paging one table's keys does not hold up the others.
     */
    private void chunks(Worker worker, Deque<TableRun> tables) throws SQLException, InterruptedException {
        while (true) {
            TableRun run;
            synchronized (tables) {
                run = tables.pollFirst();
                if (run == null) {
                    return;
                }
                tables.addLast(run);
            }
            TableSide source = new TableSide(worker.source(), dialect, run.source);
            Optional<KeyRange> next = run.planner.next(source);
            if (next.isEmpty()) {
                synchronized (tables) {
                    tables.remove(run);
                }
                continue;
            }
            KeyRange range = next.get();
            TableSide target = new TableSide(worker.target(), dialect, run.target);
            long started = System.nanoTime();
            ChunkDigest digest = new ChunkComparer(source, target, run.source, options, watermark, run.tally, worker.sides())
                    .compare(range);
            run.sizer.record(digest.rows(), Duration.ofNanos(System.nanoTime() - started));
            run.planner.record(range, digest.rows());
            progress.advance(digest.rows());
        }
    }

    /** Runs one task per worker on the pool and waits for all; the first failure is rethrown. */
    private static void runAll(ExecutorService pool, List<Worker> workers, Function<Worker, Callable<Void>> task)
            throws SQLException, InterruptedException {
        List<Future<Void>> futures = new ArrayList<>();
        for (Worker worker : workers) {
            futures.add(pool.submit(task.apply(worker)));
        }
        try {
            for (Future<Void> future : futures) {
                future.get();
            }
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            if (e.getCause() instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            throw new IllegalStateException("verification failed: " + e.getCause(), e.getCause());
        }
    }
}
