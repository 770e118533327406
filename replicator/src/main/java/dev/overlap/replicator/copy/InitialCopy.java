package dev.overlap.replicator.copy;

import com.google.common.util.concurrent.RateLimiter;
import dev.overlap.lag.PipelineMetrics;
import dev.overlap.replicator.UserError;
import dev.overlap.replicator.catalog.SourceTable;
import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.catalog.TargetTable;
import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.jdbc.Connections;
import dev.overlap.replicator.offset.OffsetStore;
import dev.overlap.replicator.offset.SourcePosition;
import dev.overlap.replicator.offset.StoredOffset;
import dev.overlap.replicator.sql.SqlDialect;
import dev.overlap.replicator.sql.SqlFailure;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The initial copy of a new pipeline, outside the change stream (docs/ARCHITECTURE.md, "The initial
 * copy"): the engine opens one consistent snapshot in {@code snapshot.threads} source sessions at a known
 * stream position ({@link SnapshotCopier#open}); tables, and ranges of about {@value #CHUNK_ROWS} rows of
 * tables with an integer key, are copied in parallel, each chunk in one target transaction together with
 * its progress row ({@link CopyProgressStore}); at the end one target transaction stores the snapshot's
 * position as the pipeline's offset and clears the progress, and streaming starts there. The rows of every
 * transaction committed before that position are copied, every later one is streamed: nothing is lost,
 * nothing applied twice. pgcopydb and mydumper copy the same way.
 *
 * <p>A copy that stops (a crash, SIGTERM, a failure) leaves its progress rows and no offset; the next
 * start deletes the partial copy and copies again from a new snapshot.
 */
public final class InitialCopy {
    private static final Logger LOG = LoggerFactory.getLogger(InitialCopy.class);
    /** Rows per chunk of a table with an integer key, by the catalog's estimate. */
    static final long CHUNK_ROWS = 200_000;
    private static final int MAX_CHUNKS = 10_000;

    private final OverlapConfig config;
    private final SnapshotCopier copier;
    private final SqlDialect sourceDialect;
    private final SqlDialect targetDialect;
    private final PipelineMetrics metrics;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stopped;
    private final List<Thread> workers = new ArrayList<>();

    /**
     * @param config the pipeline's configuration ({@code snapshot.threads}, {@code snapshot.max-rows-per-second})
     * @param copier the engine's copy
     * @param sourceDialect the source's dialect, for the key ranges' queries
     * @param targetDialect the target's dialect
     * @param metrics where the progress goes
     */
    public InitialCopy(OverlapConfig config, SnapshotCopier copier, SqlDialect sourceDialect, SqlDialect targetDialect,
                       PipelineMetrics metrics) {
        this.config = config;
        this.copier = copier;
        this.sourceDialect = sourceDialect;
        this.targetDialect = targetDialect;
        this.metrics = metrics;
    }

    /**
     * Copies the tables and stores the position streaming continues from.
     *
     * @param tables the selected tables, the heartbeat table not included
     * @param targets their shapes on the target
     * @param offsets the pipeline's offset store
     * @param progress the pipeline's copy progress store
     * @return the offset now stored, from which streaming starts
     * @throws UserError when a side refuses (one line: the chunk, the SQL state, the fix; no row values)
     * @throws CopyStopped when {@link #stop()} was called; nothing is stored
     */
    public StoredOffset run(List<SourceTable> tables, Map<TableId, TargetTable> targets, OffsetStore offsets,
                            CopyProgressStore progress) {
        int threads = config.snapshot().threads();
        try (ConsistentSnapshot snapshot = copier.open(tables, Math.max(1, threads))) {
            LOG.info("initial copy: {} tables from a consistent snapshot at {}, {} sessions{}", tables.size(),
                    snapshot.position().describe(), snapshot.sessions().size(), config.snapshot().maxRowsPerSecond() > 0
                            ? String.format(Locale.ROOT, ", at most %,d rows/s", config.snapshot().maxRowsPerSecond()) : "");
            Connection planner = snapshot.sessions().get(0);
            Map<TableId, Long> estimates = new LinkedHashMap<>();
            List<CopyChunk> chunks = new ArrayList<>();
            for (SourceTable table : tables) {
                chunks.addAll(plan(planner, table, targets.get(table.id()),
                        Math.max(0, copier.estimateRows(planner, table.id())), estimates));
            }
            chunks.sort(Comparator.comparing((CopyChunk c) -> -estimates.get(c.table())).thenComparing(CopyChunk::index));
            Map<TableId, Integer> perTable = new LinkedHashMap<>();
            chunks.forEach(c -> perTable.put(c.table(), c.chunks()));
            long estimated = estimates.values().stream().mapToLong(Long::longValue).sum();
            RateLimiter limit = config.snapshot().maxRowsPerSecond() > 0 ? RateLimiter.create(config.snapshot().maxRowsPerSecond()) : null;
            try (CopyProgress tally = new CopyProgress(metrics, estimated, perTable, System.console() != null)) {
                copyAll(snapshot.sessions(), new ConcurrentLinkedQueue<>(chunks), limit, tally, progress);
                StoredOffset stored = new StoredOffset(SourcePosition.partition(config.pipeline()), snapshot.position().afterCopyOffset());
                finish(offsets, progress, stored);
                LOG.info(String.format(Locale.ROOT, "initial copy finished: %,d rows in %d tables in %.1f s (%,.0f rows/s); streaming from %s",
                        tally.copied(), tables.size(), tally.seconds(), tally.copied() / Math.max(tally.seconds(), 1e-3),
                        snapshot.position().describe()));
                return stored;
            }
        } catch (SQLException e) {
            throw Connections.explain(config.source(), e);
        }
    }

    /** Stops a running copy from another thread (SIGTERM): the workers roll back the chunk in hand and end. */
    public void stop() {
        stopped = true;
        synchronized (workers) {
            workers.forEach(Thread::interrupt);
        }
    }

    /** The copy was stopped (SIGTERM) before it finished; nothing was stored. */
    public static final class CopyStopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public CopyStopped() {
            super("the initial copy was stopped", null, false, false);
        }
    }

    /**
     * Splits a table whose key is one integer column into ranges of about {@link #CHUNK_ROWS} rows, its rows
     * taken as spread evenly over the key's span; their number is the catalog's estimate, or, for a table
     * the catalog has no figure for (never analysed), the span itself (dense keys). Any other table is one
     * chunk. The table's estimate for the progress goes into {@code estimates}.
     */
    private List<CopyChunk> plan(Connection source, SourceTable table, TargetTable target, long estimate,
                                 Map<TableId, Long> estimates) throws SQLException {
        estimates.put(table.id(), estimate);
        List<String> columns = table.columns().stream()
                .filter(c -> target.columns().containsKey(c) && !target.column(c).generated()).toList();
        List<CopyChunk> whole = List.of(new CopyChunk(table.id(), target, columns, null, null, null, 0, 1));
        String key = table.keyColumns().size() == 1 && copier.integerType(target.column(table.keyColumns().get(0)).typeName())
                ? table.keyColumns().get(0) : null;
        if (key == null) {
            return whole;
        }
        BigInteger min;
        BigInteger max;
        try (Statement st = source.createStatement(); ResultSet rs = st.executeQuery("SELECT MIN(" + sourceDialect.quote(key)
                + "), MAX(" + sourceDialect.quote(key) + ") FROM " + sourceDialect.table(table.id()))) {
            rs.next();
            if (rs.getObject(1) == null) {
                return whole;
            }
            min = new BigInteger(rs.getString(1));
            max = new BigInteger(rs.getString(2));
        }
        BigInteger span = max.subtract(min).add(BigInteger.ONE);
        long rows = estimate > 0 ? estimate : span.min(BigInteger.valueOf(Long.MAX_VALUE)).longValue();
        estimates.put(table.id(), rows);
        int n = (int) Math.min(MAX_CHUNKS, (rows + CHUNK_ROWS - 1) / CHUNK_ROWS);
        if (n <= 1 || max.bitLength() >= 63 || min.bitLength() >= 63) {
            return whole;
        }
        BigInteger step = span.add(BigInteger.valueOf(n - 1)).divide(BigInteger.valueOf(n));
        List<CopyChunk> chunks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Long from = i == 0 ? null : min.add(step.multiply(BigInteger.valueOf(i))).longValueExact();
            Long to = i == n - 1 ? null : min.add(step.multiply(BigInteger.valueOf(i + 1))).longValueExact();
            chunks.add(new CopyChunk(table.id(), target, columns, key, from, to, i, n));
        }
        return chunks;
    }

    /** Runs one worker per snapshot session until the chunks are done, a worker fails, or the copy is stopped. */
    private void copyAll(List<Connection> sessions, Queue<CopyChunk> chunks, RateLimiter limit, CopyProgress tally,
                         CopyProgressStore progress) {
        synchronized (workers) {
            for (int i = 0; i < sessions.size(); i++) {
                Connection session = sessions.get(i);
                Thread worker = new Thread(() -> work(session, chunks, limit, tally, progress), "overlap-copy-" + (i + 1));
                worker.setDaemon(true);
                workers.add(worker);
                worker.start();
            }
        }
        for (Thread worker : workers) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                stop();
                Thread.currentThread().interrupt();
            }
        }
        Throwable failed = failure.get();
        if (failed instanceof UserError user) {
            throw user;
        }
        if (failed != null) {
            throw new IllegalStateException("initial copy failed", failed);
        }
        if (stopped) {
            throw new CopyStopped();
        }
    }

    private void work(Connection source, Queue<CopyChunk> chunks, RateLimiter limit, CopyProgress tally, CopyProgressStore progress) {
        CopyChunk chunk = null;
        try (Connection target = Connections.open(config.target())) {
            target.setAutoCommit(false);
            try (Statement st = target.createStatement()) {
                st.execute(copier.targetSessionSql());
            }
            target.commit();
            while (!stopped && failure.get() == null && (chunk = chunks.poll()) != null) {
                long[] shown = {0};
                try {
                    long rows = copier.copy(source, target, chunk, limit, copied -> {
                        tally.moving(copied - shown[0]);
                        shown[0] = copied;
                    });
                    progress.record(target, chunk, rows);
                    target.commit();
                    tally.committed(chunk.table(), rows, shown[0]);
                } catch (SQLException | InterruptedException | RuntimeException e) {
                    rollback(target);
                    tally.moving(-shown[0]);
                    throw e;
                }
            }
        } catch (InterruptedException e) {
            stopped = true;
        } catch (SQLException e) {
            if (!stopped) {
                failure.compareAndSet(null, failed(chunk, e));
            }
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }

    /** @return the failed chunk's one line: the chunk, the SQL state and what it means, never a row value */
    private UserError failed(CopyChunk chunk, SQLException e) {
        List<String> key = chunk == null || chunk.keyColumn() == null ? List.of() : List.of(chunk.keyColumn());
        SqlFailure f = SqlFailure.of(e, key, targetDialect.errorNames(e));
        return new UserError("initial copy of " + (chunk == null ? "a table" : chunk) + " failed: SQLState " + f.sqlState() + ", "
                + f.cause() + "; fix it on the target, then restart overlap, which copies again");
    }

    private static void rollback(Connection target) {
        try {
            target.rollback();
        } catch (SQLException e) {
            LOG.debug("rollback after a failed chunk failed too (SQLState {})", e.getSQLState());
        }
    }

    /** One target transaction: the offset streaming starts from, and the progress cleared. */
    private void finish(OffsetStore offsets, CopyProgressStore progress, StoredOffset stored) {
        try (Connection c = Connections.open(config.target())) {
            c.setAutoCommit(false);
            offsets.save(c, stored.partition(), stored.offset());
            progress.clear(c);
            c.commit();
        } catch (SQLException e) {
            throw Connections.explain(config.target(), e);
        }
    }
}
