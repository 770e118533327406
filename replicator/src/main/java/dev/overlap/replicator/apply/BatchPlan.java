package dev.overlap.replicator.apply;

import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.stream.RowChange;
import dev.overlap.replicator.stream.RowChange.Op;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The changes of one batch as the statements that write them: per table, a list of {@link Step}s run in
 * order, each one multi-row statement (or a few, when too long for one).
 *
 * <p>The target must see each table's changes in an order the source could have committed them: a
 * unique value freed by one row and taken by another must be freed first. Tables are independent of each
 * other (the apply runs without foreign-key checks), so only the order within a table matters. Two cases,
 * by the table's {@link CollisionRules}:
 * <ul>
 *   <li>Only the key is unique: changes are coalesced per key (the last change wins) and written as one
 *       multi-row delete of the keys whose last change deletes them, then multi-row upserts. Rows of
 *       different keys cannot collide, so no order among them matters.</li>
 *   <li>Another unique index or constraint exists (on either side): the source's order is kept. Runs of
 *       consecutive upserts (or deletes) of distinct keys become one statement, which the databases run row
 *       by row in that order; a change to a key already in the run takes that earlier change's place only
 *       when it leaves every unique value as it was, and otherwise starts the next statement.</li>
 * </ul>
 * In both, a later change whose unchanged-TOAST columns are {@link RowChange#UNAVAILABLE} takes them from
 * the earlier change it replaces, so coalescing never loses a value; a key change ({@link RowChange#keyMove()})
 * moves the row to its new key in place (keeping the columns the new image lacks) at its point in the
 * order; a TRUNCATE drops what came before it for that table; a table without a key (REPLICA IDENTITY FULL)
 * has its changes written one by one, in order.
 *
 * <p>When the target's own foreign keys cascade (see {@link dev.overlap.replicator.catalog.SourceTable#cascades()}),
 * tables are not independent: the plan then also keeps the order between tables, one table plan per run of
 * consecutive changes to one table.
 */
final class BatchPlan {
    private final List<TablePlan> tables = new ArrayList<>();

    /** One statement's worth of a table's changes. */
    sealed interface Step {
    }

    /** Remove every row (a source TRUNCATE). */
    record Truncate() implements Step {
    }

    /** @param rows changes whose keys are deleted, all distinct */
    record Deletes(List<RowChange> rows) implements Step {
    }

    /** @param rows changes written by upsert, distinct keys, all carrying the same columns */
    record Upserts(List<RowChange> rows) implements Step {
    }

    /** @param delete the delete of the old key; its {@link RowChange#newKey()} is where the row moves */
    record KeyMove(RowChange delete) implements Step {
    }

    /** @param changes a keyless table's changes, written one by one in order */
    record InOrder(List<RowChange> changes) implements Step {
    }

    /** The steps for one table. */
    static final class TablePlan {
        final TableId table;
        final List<Step> steps = new ArrayList<>();
        /** Source events per op, indexed by {@link Op#ordinal()}: what the batch applied, before coalescing. */
        final long[] events = new long[Op.values().length];
        private final CollisionRules rules;
        private final LinkedHashMap<Object, RowChange> lastByKey = new LinkedHashMap<>();
        private Run run;

        TablePlan(TableId table, CollisionRules rules) {
            this.table = table;
            this.rules = rules;
        }

        void add(RowChange change) {
            events[change.op().ordinal()]++;
            if (change.op() == Op.TRUNCATE) {
                lastByKey.clear();
                run = null;
                steps.clear();
                steps.add(new Truncate());
            } else if (!change.keyed()) {
                if (steps.isEmpty() || !(steps.get(steps.size() - 1) instanceof InOrder)) {
                    steps.add(new InOrder(new ArrayList<>()));
                }
                ((InOrder) steps.get(steps.size() - 1)).changes().add(change);
            } else if (change.keyMove()) {
                finish();
                steps.add(new KeyMove(change));
            } else if (rules.none()) {
                Object key = key(change.row(), change.keyColumns());
                RowChange previous = lastByKey.remove(key);
                lastByKey.put(key, previous == null ? change : merge(previous, change));
            } else {
                addInOrder(change);
            }
        }

        /** A table with unique values besides the key: extends the current run, or starts the next one. */
        private void addInOrder(RowChange change) {
            boolean delete = change.op() == Op.DELETE;
            List<String> columns = delete ? change.keyColumns() : availableColumns(change);
            Object key = key(change.row(), change.keyColumns());
            if (run != null && run.delete == delete && run.columns.equals(columns)) {
                Integer at = run.positions.get(key);
                if (at == null) {
                    run.positions.put(key, run.rows.size());
                    run.rows.add(change);
                    return;
                }
                RowChange earlier = run.rows.get(at);
                RowChange merged = merge(earlier, change);
                if (!delete && rules.sameUniqueValues(earlier.row(), change.row()) && availableColumns(merged).equals(columns)) {
                    run.rows.set(at, merged);
                    return;
                }
            }
            closeRun();
            run = new Run(delete, columns);
            run.positions.put(key, 0);
            run.rows.add(change);
        }

        private void closeRun() {
            if (run != null) {
                steps.add(run.delete ? new Deletes(run.rows) : new Upserts(run.rows));
                run = null;
            }
        }

        /** Turns what is pending (a coalesced segment, or the current run) into steps. */
        void finish() {
            closeRun();
            if (lastByKey.isEmpty()) {
                return;
            }
            List<RowChange> deletes = new ArrayList<>();
            Map<List<String>, List<RowChange>> upserts = new LinkedHashMap<>();
            for (RowChange change : lastByKey.values()) {
                if (change.op() == Op.DELETE) {
                    deletes.add(change);
                } else {
                    upserts.computeIfAbsent(availableColumns(change), k -> new ArrayList<>()).add(change);
                }
            }
            lastByKey.clear();
            if (!deletes.isEmpty()) {
                steps.add(new Deletes(deletes));
            }
            upserts.values().forEach(rows -> steps.add(new Upserts(rows)));
        }
    }

    /** Consecutive deletes, or upserts of one column set, of distinct keys: one statement. */
    private static final class Run {
        final boolean delete;
        final List<String> columns;
        final List<RowChange> rows = new ArrayList<>();
        final Map<Object, Integer> positions = new HashMap<>();

        Run(boolean delete, List<String> columns) {
            this.delete = delete;
            this.columns = columns;
        }
    }

    /**
     * @param changes the batch's row changes in source order
     * @param rules each table's collision rules, by the key its changes carry
     * @param keepTableOrder whether the order between tables must hold too (the target cascades)
     * @return the plan
     */
    static BatchPlan of(List<RowChange> changes, Function<RowChange, CollisionRules> rules, boolean keepTableOrder) {
        BatchPlan plan = new BatchPlan();
        Map<TableId, TablePlan> open = new LinkedHashMap<>();
        TablePlan last = null;
        for (RowChange change : changes) {
            TablePlan table = keepTableOrder ? (last != null && last.table.equals(change.table()) ? last : null)
                    : open.get(change.table());
            if (table == null) {
                table = new TablePlan(change.table(), rules.apply(change));
                plan.tables.add(table);
                open.put(change.table(), table);
            }
            table.add(change);
            last = table;
        }
        plan.tables.forEach(TablePlan::finish);
        return plan;
    }

    /** @return the table plans: one per table in order of first appearance, or per run of one table's changes */
    List<TablePlan> tables() {
        return tables;
    }

    /** @return the columns of the change's row that carry a value (not {@link RowChange#UNAVAILABLE}) */
    static List<String> availableColumns(RowChange change) {
        List<String> columns = new ArrayList<>(change.row().size());
        change.row().forEach((column, value) -> {
            if (value != RowChange.UNAVAILABLE) {
                columns.add(column);
            }
        });
        return columns;
    }

    private static Object key(Map<String, Object> row, List<String> keyColumns) {
        if (keyColumns.size() == 1) {
            return hashable(row.get(keyColumns.get(0)));
        }
        List<Object> key = new ArrayList<>(keyColumns.size());
        for (String column : keyColumns) {
            key.add(hashable(row.get(column)));
        }
        return key;
    }

    private static Object hashable(Object value) {
        return value instanceof byte[] bytes ? ByteBuffer.wrap(bytes) : value;
    }

    private static RowChange merge(RowChange previous, RowChange next) {
        if (previous.op() == Op.DELETE || next.op() == Op.DELETE || !next.row().containsValue(RowChange.UNAVAILABLE)) {
            return next;
        }
        Map<String, Object> row = new LinkedHashMap<>(next.row());
        row.replaceAll((column, value) ->
                value == RowChange.UNAVAILABLE ? previous.row().getOrDefault(column, RowChange.UNAVAILABLE) : value);
        return next.withRow(row);
    }
}
