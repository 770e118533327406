package dev.overlap.replicator.apply;

import dev.overlap.lag.PipelineMetrics;
import dev.overlap.replicator.catalog.SourceTable;
import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.catalog.TargetColumn;
import dev.overlap.replicator.catalog.TargetTable;
import dev.overlap.replicator.offset.OffsetStore;
import dev.overlap.replicator.offset.SourcePosition;
import dev.overlap.replicator.offset.StoredOffset;
import dev.overlap.replicator.sql.SqlDialect;
import dev.overlap.replicator.sql.SqlFailure;
import dev.overlap.replicator.stream.ChangeBatch;
import dev.overlap.replicator.stream.RowChange;
import dev.overlap.replicator.stream.RowChange.Op;
import dev.overlap.replicator.stream.SchemaChange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes change batches to the target: one transaction per batch holding the rows and the source
 * position after them ({@link OffsetStore}), so that a crash at any point loses and duplicates
 * nothing.
 *
 * <p>A batch runs the statements of its {@link BatchPlan}, which keeps each table's changes in an order
 * the source could have committed them ({@link CollisionRules}): multi-row deletes by key and upserts,
 * key moves, the replay of a TRUNCATE, and for a table without a key its changes in order (runs of
 * inserts as multi-row inserts, updates and deletes one row each, matched on the before-image). The
 * writes to a MySQL/MariaDB table whose foreign keys cascade run with the target's foreign-key checks
 * on, so the target cascades as the source did. A transient failure (serialization
 * failure, deadlock, lock timeout, a connection lost mid-batch) rolls back and retries the whole
 * batch with exponential backoff, 5 times at most. While no connection to the target can be had at
 * all (refused, or the pool timing out), the batch waits and retries for as long as that lasts, every
 * 10 s at most, so that a target restart or network outage during a weeks-long overlap costs lag (and
 * the lag alert), not the daemon. Any other failure rolls back and is thrown, and the batch's offset
 * is not advanced.
 *
 * <p>A batch of DDL statements ({@link ChangeBatch#schemaChanges()}) runs them on the target with its
 * position (docs/ARCHITECTURE.md, "Schema changes"); the table shapes are then read again from the
 * target as changes need them, so that a table the statements created, altered or renamed is written
 * with its new shape.
 */
public final class Applier {
    private static final Logger LOG = LoggerFactory.getLogger(Applier.class);
    private static final int MAX_ROWS_PER_STATEMENT = 1000;
    /** Fewest inserts in a run that go by the dialect's bulk path: below it a statement is as cheap. */
    private static final int MIN_BULK_ROWS = 32;
    private static final int MAX_ATTEMPTS = 6;

    private final DataSource target;
    private final SqlDialect dialect;
    private final TableShapes shapes;
    private final OffsetStore offsets;
    private final PipelineMetrics metrics;

    /**
     * @param target pooled connections to the target, auto-commit off
     * @param dialect the target's SQL dialect
     * @param sources the replicated tables on the source, with the key their changes carry and their unique indexes
     * @param tables the shapes of the replicated tables on the target, by source table
     * @param offsets where the position is stored
     * @param metrics counters updated after each commit
     */
    public Applier(DataSource target, SqlDialect dialect, List<SourceTable> sources, Map<TableId, TargetTable> tables,
                   OffsetStore offsets, PipelineMetrics metrics) {
        this.target = target;
        this.dialect = dialect;
        this.shapes = new TableShapes(dialect, sources, tables);
        this.offsets = offsets;
        this.metrics = metrics;
    }

    /**
     * Applies one batch and its position in one transaction.
     *
     * <p>When the connection breaks during COMMIT, the outcome is unknown: the target may have committed
     * and only its answer been lost. The next attempt then first reads the offset the target holds
     * ({@link OffsetStore#holds}) and writes the batch again only if it is not this batch's, so that a
     * batch is never applied twice (a table without a key would get its inserts twice).
     *
     * @param batch the changes and the source position after them
     * @throws ApplyException when the batch cannot be applied (after retries for transient failures), with a
     *         message naming the table, its key columns, the SQL state and the fix, never a row value;
     *         nothing of the batch is then committed
     * @throws InterruptedException when interrupted while waiting to retry
     */
    public void apply(ChangeBatch batch) throws InterruptedException {
        BatchPlan plan = null;
        long backoffMs = 500;
        int failures = 0;
        boolean commitInDoubt = false;
        for (int attempt = 1; ; attempt++) {
            long start = System.nanoTime();
            try {
                if (commitInDoubt && committed(batch)) {
                    LOG.info("the target committed the batch whose COMMIT went unanswered (it holds the batch's offset);"
                            + " it is not applied again");
                } else if (batch.schemaChange()) {
                    commitInDoubt = false;
                    runSchemaChange(batch);
                } else {
                    commitInDoubt = false;
                    plan = plan != null ? plan : plan(batch);
                    write(plan, batch);
                }
                metrics.batchApplied(System.nanoTime() - start);
                if (plan != null) {
                    count(plan);
                }
                return;
            } catch (SQLException e) {
                commitInDoubt |= e instanceof CommitInDoubt;
                boolean unreachable = e instanceof TargetUnreachable;
                TableId table = e instanceof TableFailure f ? f.table : null;
                List<String> key = e instanceof TableFailure f ? f.keyColumns : List.of();
                SqlFailure failure = SqlFailure.of(e, key, dialect.errorNames(e));
                String where = table == null ? "the batch's offset" : "table " + table + (key.isEmpty() ? " (no key)"
                        : " (key " + String.join(", ", key) + ")");
                if (!unreachable && !commitInDoubt && (!failure.transientFailure() || ++failures >= MAX_ATTEMPTS)) {
                    String fix = failure.transientFailure() ? "it failed " + MAX_ATTEMPTS + " times; check the target and restart overlap"
                            : batch.schemaChange() ? "change the target so that the statement can run there, or run it"
                            + " there yourself, then restart overlap (a statement the target then finds done counts as applied)"
                            : failure.fix();
                    SchemaChange ddl = e instanceof TableFailure f ? f.statement : null;
                    ApplyException fatal = new ApplyException((ddl == null ? "applying a batch of " + batch.changes().size()
                            + " changes to " + where : "applying the source's " + ddl.command() + " on "
                            + (ddl.tables().isEmpty() ? ddl.defaultSchema() : ddl.tables()) + " at "
                            + SourcePosition.of(batch.offset()).describe())
                            + " failed: SQLState " + failure.sqlState() + ", " + failure.cause() + "; " + fix, null);
                    metrics.error("apply_fatal", fatal.getMessage());
                    throw fatal;
                }
                metrics.error("apply_retry", "SQLState " + failure.sqlState() + " at " + where);
                if (unreachable || commitInDoubt) {
                    LOG.warn("the target is unreachable{} (SQLState {}); the batch waits, attempt {}, next in {} ms",
                            commitInDoubt ? " and the last COMMIT went unanswered" : "", failure.sqlState(), attempt, backoffMs);
                } else {
                    LOG.warn("applying to {} failed transiently (SQLState {}); retry {} of {} in {} ms",
                            where, failure.sqlState(), failures, MAX_ATTEMPTS - 1, backoffMs);
                }
                Thread.sleep(backoffMs);
                backoffMs = Math.min(backoffMs * 2, 10_000);
            }
        }
    }

    /** No connection to the target could be had: nothing of the batch was sent. */
    private static final class TargetUnreachable extends SQLException {
        private static final long serialVersionUID = 1L;

        TargetUnreachable(SQLException cause) {
            super(cause.getMessage(), cause.getSQLState(), cause.getErrorCode(), cause);
        }
    }

    /** The connection broke during COMMIT: whether the target committed is unknown. */
    private static final class CommitInDoubt extends SQLException {
        private static final long serialVersionUID = 1L;

        CommitInDoubt(SQLException cause) {
            super(cause.getMessage(), cause.getSQLState(), cause.getErrorCode(), cause);
        }
    }

    /** A statement for one table failed. */
    private static final class TableFailure extends SQLException {
        private static final long serialVersionUID = 1L;
        final transient TableId table;
        final transient List<String> keyColumns;
        /** The DDL statement that failed, or {@code null} for a change of rows. */
        final transient SchemaChange statement;

        TableFailure(TableId table, List<String> keyColumns, SQLException cause) {
            this(table, keyColumns, null, cause);
        }

        TableFailure(TableId table, List<String> keyColumns, SchemaChange statement, SQLException cause) {
            super(cause.getMessage(), cause.getSQLState(), cause.getErrorCode(), cause);
            this.table = table;
            this.keyColumns = keyColumns;
            this.statement = statement;
        }
    }

    /** @return whether the target holds this batch's offset, i.e. committed it; on a connection of its own */
    private boolean committed(ChangeBatch batch) throws SQLException {
        try (Connection connection = connection()) {
            boolean committed = offsets.holds(connection, batch.offset());
            connection.rollback();
            return committed;
        }
    }

    /** @return a pooled connection to the target, or {@link TargetUnreachable} when none can be had */
    private Connection connection() throws TargetUnreachable {
        try {
            return target.getConnection();
        } catch (SQLException e) {
            throw new TargetUnreachable(e);
        }
    }

    /**
     * Plans the batch once the target shape of each of its tables is known: a table no shape is held for (new,
     * or touched by a DDL statement) is described now, on the target.
     */
    private BatchPlan plan(ChangeBatch batch) throws SQLException {
        if (!shapes.describes(batch.changes())) {
            try (Connection connection = connection()) {
                shapes.describe(connection, batch.changes());
                connection.rollback();
            }
        }
        return BatchPlan.of(batch.changes().stream().map(shapes::keyed).toList(), shapes::rules, shapes.cascading());
    }

    /**
     * Runs a DDL statement of the source on the target, then stores the position after it. The position is
     * first marked in its own transaction ({@link OffsetStore#markSchemaChange}), as MySQL/MariaDB commit DDL
     * by themselves: a start after a crash between the statement and its position, or after the statement
     * failed and the user ran it on the target, finds the mark, and a statement the target then refuses as
     * already done ({@link SqlDialect#alreadyApplied}) counts as applied. On PostgreSQL statement and position
     * commit together. Afterwards every table shape is read again from the target as changes need it.
     */
    private void runSchemaChange(ChangeBatch batch) throws SQLException {
        Set<TableId> named = new LinkedHashSet<>();
        try (Connection connection = connection()) {
            if (SourcePosition.binlogReplay(offsets.load(connection).map(StoredOffset::offset).orElse(null), batch.offset())) {
                LOG.info("the source's DDL at {} is at or before the position the target holds: it was applied before the last"
                        + " stop, and is not applied again", SourcePosition.of(batch.offset()).describe());
                connection.rollback();
                return;
            }
            try {
                // a DDL statement may run for long on a large table: no socket timeout while it runs (the pool restores it)
                connection.setNetworkTimeout(Runnable::run, 0);
                boolean inDoubt = offsets.schemaChangeMarked(connection, batch.offset());
                offsets.markSchemaChange(connection, batch.partition(), batch.offset());
                connection.commit();
                for (SchemaChange change : batch.schemaChanges()) {
                    run(connection, change, inDoubt, batch.offset());
                    named.addAll(change.tables());
                }
                offsets.save(connection, batch.partition(), batch.offset());
                offsets.clearSchemaChange(connection);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                rollback(connection, e);
                throw e;
            }
            shapes.schemaChanged(connection, named);
            connection.rollback();
        }
    }

    /**
     * Runs one statement; a statement in doubt that the target finds done counts as applied, and on PostgreSQL the
     * transaction goes on from the savepoint before it.
     */
    private void run(Connection connection, SchemaChange change, boolean inDoubt, Map<String, ?> offset) throws SQLException {
        Savepoint before = connection.setSavepoint();
        try (Statement st = connection.createStatement()) {
            for (String sql : dialect.schemaChangeSql(change.ddl(), change.defaultSchema())) {
                st.execute(sql);
            }
        } catch (SQLException e) {
            if (!inDoubt || !dialect.alreadyApplied(e)) {
                throw new TableFailure(change.tables().isEmpty() ? null : change.tables().get(0), List.of(), change, e);
            }
            try {
                connection.rollback(before);
            } catch (SQLException gone) {
                // MySQL/MariaDB committed before the statement, which ended the savepoint: nothing is left to roll back
                LOG.debug("no savepoint to roll back to after {}: {}", change.command(), gone.getSQLState());
            }
            LOG.info("{} at {} was applied before the last stop; it is not applied again", change.command(),
                    SourcePosition.of(offset).describe());
            return;
        }
        LOG.info("applied {} on {} to the target", change.command(), change.tables().isEmpty() ? change.defaultSchema() : change.tables());
    }

    /**
     * @return the replicated tables as the target holds them now: those selected at start, plus those DDL statements
     *         created, less those they dropped or renamed; updated after each statement
     */
    public List<TableId> knownTables() {
        return shapes.known();
    }

    private void write(BatchPlan plan, ChangeBatch batch) throws SQLException {
        try (Connection connection = connection()) {
            try {
                for (BatchPlan.TablePlan table : plan.tables()) {
                    try {
                        writeTable(connection, table);
                    } catch (SQLException e) {
                        throw new TableFailure(table.table, keyOf(table), e);
                    }
                }
                offsets.save(connection, batch.partition(), batch.offset());
            } catch (SQLException | RuntimeException e) {
                rollback(connection, e);
                throw e;
            }
            try {
                connection.commit();
            } catch (SQLException e) {
                if (e.getSQLState() != null && e.getSQLState().startsWith("08") || !connection.isValid(1)) {
                    throw new CommitInDoubt(e);
                }
                rollback(connection, e);
                throw e;
            }
        }
    }

    /** @return the key columns of a table's changes in this batch, empty for a table without a key */
    private static List<String> keyOf(BatchPlan.TablePlan plan) {
        for (BatchPlan.Step step : plan.steps) {
            if (step instanceof BatchPlan.Upserts u) {
                return u.rows().get(0).keyColumns();
            } else if (step instanceof BatchPlan.Deletes d) {
                return d.rows().get(0).keyColumns();
            } else if (step instanceof BatchPlan.KeyMove m) {
                return m.delete().keyColumns();
            }
        }
        return List.of();
    }

    private void writeTable(Connection connection, BatchPlan.TablePlan plan) throws SQLException {
        TargetTable table = shapes.target(plan.table);
        String name = dialect.table(plan.table);
        boolean cascades = shapes.cascades(plan.table);
        if (!cascades) {
            writeSteps(connection, table, name, plan.steps);
            return;
        }
        try (Statement st = connection.createStatement()) {
            st.execute(dialect.foreignKeyChecks(true));
            try {
                writeSteps(connection, table, name, plan.steps);
            } finally {
                st.execute(dialect.foreignKeyChecks(false));
            }
        }
    }

    private void writeSteps(Connection connection, TargetTable table, String name, List<BatchPlan.Step> steps) throws SQLException {
        for (BatchPlan.Step step : steps) {
            if (step instanceof BatchPlan.Truncate) {
                try (Statement st = connection.createStatement()) {
                    st.executeUpdate(dialect.deleteAll(name));
                }
            } else if (step instanceof BatchPlan.Deletes deletes) {
                List<String> key = deletes.rows().get(0).keyColumns();
                writeChunked(connection, table, key, deletes.rows(), n -> dialect.deleteByKey(name, key, n));
            } else if (step instanceof BatchPlan.Upserts upserts) {
                List<String> key = upserts.rows().get(0).keyColumns();
                List<String> columns = writable(table, BatchPlan.availableColumns(upserts.rows().get(0)));
                List<String> set = columns.stream()
                        .filter(c -> !key.contains(c) && !table.column(c).identityAlways()).toList();
                if (upserts.rows().get(0).row().containsValue(RowChange.UNAVAILABLE)) {
                    updateByKey(connection, table, name, key, set, upserts.rows());
                } else if (!bulkInserted(connection, name, columns, upserts.rows())) {
                    writeChunked(connection, table, columns, upserts.rows(), n -> dialect.upsert(name, columns, key, set, n));
                }
            } else if (step instanceof BatchPlan.KeyMove move) {
                moveKey(connection, table, name, move.delete());
            } else {
                writeInOrder(connection, table, name, ((BatchPlan.InOrder) step).changes());
            }
        }
    }

    /**
     * A run of at least {@value #MIN_BULK_ROWS} inserts goes by the dialect's bulk path (PostgreSQL: COPY), which
     * the target neither parses nor plans per row. Safe because offsets commit with the rows: an insert
     * replayed after a crash never finds its row applied. A key the target already holds (a row deleted
     * and inserted again within the batch, or a row only the target has) makes the dialect give up, and
     * the run is upserted as before.
     *
     * @return whether the rows were inserted
     */
    private boolean bulkInserted(Connection connection, String name, List<String> columns, List<RowChange> rows) throws SQLException {
        if (rows.size() < MIN_BULK_ROWS || !rows.stream().allMatch(r -> r.op() == Op.CREATE)) {
            return false;
        }
        List<List<Object>> values = new ArrayList<>(rows.size());
        for (RowChange row : rows) {
            List<Object> value = new ArrayList<>(columns.size());
            for (String column : columns) {
                value.add(row.row().get(column));
            }
            values.add(value);
        }
        return dialect.bulkInsert(connection, name, columns, values) >= 0;
    }

    /** @return the columns the target takes values for: all but those it generates itself */
    private static List<String> writable(TargetTable table, List<String> columns) {
        return columns.stream().filter(c -> !table.column(c).generated()).toList();
    }

    /**
     * Rows that lack a value the source did not send (PostgreSQL's unchanged TOAST value) update the
     * existing row: an upsert would build the whole new row first, and a NOT NULL column it lacks fails it.
     * One statement per row, sent as one JDBC batch.
     */
    private void updateByKey(Connection connection, TargetTable table, String name, List<String> key, List<String> set,
                             List<RowChange> rows) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(dialect.updateByKey(name, set, key))) {
            for (RowChange row : rows) {
                int index = 1;
                for (String column : set) {
                    dialect.bind(ps, index++, row.row().get(column), table.column(column));
                }
                for (String column : key) {
                    dialect.bind(ps, index++, row.row().get(column), table.column(column));
                }
                ps.addBatch();
            }
            int missing = 0;
            for (int count : ps.executeBatch()) {
                missing += count == 0 ? 1 : 0;
            }
            if (missing > 0) {
                metrics.error("row_not_found", missing + " updates on " + table.id() + " matched no target row");
                LOG.warn("{} updates on {} matched no target row: the target differs from the source; run overlap verify",
                        missing, table.id());
            }
        }
    }

    /**
     * A key change: the row moves to its new key in place, so that it keeps the values the create of the new
     * key does not carry (PostgreSQL's unchanged TOAST values); the create that follows then upserts the rest.
     */
    private void moveKey(Connection connection, TargetTable table, String name, RowChange delete) throws SQLException {
        List<String> key = delete.keyColumns();
        try (PreparedStatement ps = connection.prepareStatement(dialect.moveKey(name, key))) {
            int index = 1;
            for (String column : key) {
                dialect.bind(ps, index++, delete.newKey().get(column), table.column(column));
            }
            for (String column : key) {
                dialect.bind(ps, index++, delete.row().get(column), table.column(column));
            }
            if (ps.executeUpdate() == 0) {
                metrics.error("row_not_found", "key change on " + table.id() + " matched no target row");
                LOG.warn("a key change on {} matched no target row: the target differs from the source; run overlap verify",
                        table.id());
            }
        }
    }

    /**
     * Runs one statement per chunk of rows, binding the given columns of each row in order. A chunk holds
     * at most {@value #MAX_ROWS_PER_STATEMENT} rows, the dialect's parameter limit, and about
     * {@link SqlDialect#maxStatementBytes()} of values ({@link #estimatedBytes}); a row larger than that
     * goes alone.
     *
     * @param sqlForRows the statement for a chunk of n rows
     */
    private void writeChunked(Connection connection, TargetTable table, List<String> columns, List<RowChange> rows,
                              IntFunction<String> sqlForRows) throws SQLException {
        TargetColumn[] targetColumns = columns.stream().map(table::column).toArray(TargetColumn[]::new);
        int maxRows = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, dialect.maxParameters() / Math.max(1, columns.size())));
        long maxBytes = dialect.maxStatementBytes();
        int from = 0;
        while (from < rows.size()) {
            int count = 0;
            long bytes = 0;
            while (from + count < rows.size() && count < maxRows) {
                long row = estimatedBytes(rows.get(from + count), targetColumns);
                if (count > 0 && bytes + row > maxBytes) {
                    break;
                }
                bytes += row;
                count++;
            }
            try (PreparedStatement ps = connection.prepareStatement(sqlForRows.apply(count))) {
                int index = 1;
                for (RowChange row : rows.subList(from, from + count)) {
                    for (TargetColumn column : targetColumns) {
                        dialect.bind(ps, index++, row.row().get(column.name()), column);
                    }
                }
                ps.executeUpdate();
            }
            from += count;
        }
    }

    /**
     * @return an upper estimate of the bytes a row's values take in a statement: strings and binary values
     *         twice their length (multi-byte characters and escapes), anything else 32 bytes
     */
    private static long estimatedBytes(RowChange row, TargetColumn[] columns) {
        long bytes = 0;
        for (TargetColumn column : columns) {
            Object value = row.row().get(column.name());
            if (value instanceof String text) {
                bytes += 2L * text.length() + 8;
            } else if (value instanceof byte[] binary) {
                bytes += 2L * binary.length + 8;
            } else {
                bytes += 32;
            }
        }
        return bytes;
    }

    /** A table without a primary key: changes in source order, each update or delete hitting one row. */
    private void writeInOrder(Connection connection, TargetTable table, String name, List<RowChange> changes)
            throws SQLException {
        List<RowChange> inserts = new ArrayList<>();
        for (RowChange change : changes) {
            if (change.op() == Op.CREATE || change.op() == Op.READ) {
                if (!inserts.isEmpty() && !inserts.get(0).row().keySet().equals(change.row().keySet())) {
                    insertAll(connection, table, name, inserts);
                }
                inserts.add(change);
                continue;
            }
            insertAll(connection, table, name, inserts);
            Map<String, Object> before = change.op() == Op.DELETE ? change.row() : change.before();
            if (before == null) {
                throw new ApplyException("update of " + table.id() + " carries no before-image; set REPLICA IDENTITY FULL"
                        + " on the source table", null);
            }
            List<TargetColumn> where = new ArrayList<>();
            before.forEach((column, value) -> {
                if (value != RowChange.UNAVAILABLE && !table.column(column).generated()) {
                    where.add(table.column(column));
                }
            });
            List<String> set = change.op() == Op.DELETE ? List.of()
                    : writable(table, BatchPlan.availableColumns(change)).stream().filter(c -> !table.column(c).identityAlways()).toList();
            String sql = change.op() == Op.DELETE ? dialect.deleteOneRow(name, where) : dialect.updateOneRow(name, set, where);
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                int index = 1;
                for (String column : set) {
                    dialect.bind(ps, index++, change.row().get(column), table.column(column));
                }
                for (TargetColumn column : where) {
                    dialect.bind(ps, index++, before.get(column.name()), column);
                }
                if (ps.executeUpdate() == 0) {
                    metrics.error("row_not_found", change.op() + " on " + table.id() + " matched no target row");
                    LOG.warn("{} on {} matched no target row: the target differs from the source; run overlap verify",
                            change.op(), table.id());
                }
            }
        }
        insertAll(connection, table, name, inserts);
    }

    private void insertAll(Connection connection, TargetTable table, String name, List<RowChange> rows) throws SQLException {
        if (!rows.isEmpty()) {
            List<String> columns = writable(table, List.copyOf(rows.get(0).row().keySet()));
            writeChunked(connection, table, columns, rows, n -> dialect.insert(name, columns, n));
            rows.clear();
        }
    }

    private void count(BatchPlan plan) {
        for (BatchPlan.TablePlan table : plan.tables()) {
            for (Op op : Op.values()) {
                long events = table.events[op.ordinal()];
                if (events > 0) {
                    metrics.applied(table.table.toString(), op.code(), events);
                }
            }
        }
    }

    private static void rollback(Connection connection, Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
