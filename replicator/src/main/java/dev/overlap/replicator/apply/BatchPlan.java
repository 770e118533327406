package dev.overlap.replicator.apply;

import dev.overlap.replicator.stream.RowChange;
import dev.overlap.replicator.stream.RowChange.Op;
import dev.overlap.replicator.stream.TableId;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The changes of one batch, grouped by table and coalesced per key, ready to be written.
 *
 * <p>For a table with a primary key only the last change to each key counts (last one wins), kept in
 * the order of those last changes; a later change whose unchanged-TOAST columns are
 * {@link RowChange#UNAVAILABLE} takes them from the earlier change to the same key, so coalescing never
 * loses a value. Replaying any suffix of the stream through a plan converges to the same rows, since
 * every keyed write is an upsert or a delete by key. For a table without a key (REPLICA IDENTITY FULL)
 * every change is kept, in order. A TRUNCATE drops what came before it for that table.
 */
final class BatchPlan {
    private final Map<TableId, TablePlan> tables = new LinkedHashMap<>();

    /** The writes for one table. */
    static final class TablePlan {
        final TableId table;
        boolean truncate;
        final LinkedHashMap<Object, RowChange> lastByKey = new LinkedHashMap<>();
        final List<RowChange> inOrder = new ArrayList<>();
        /** Source events per op, indexed by {@link Op#ordinal()}: what the batch applied, before coalescing. */
        final long[] events = new long[Op.values().length];

        TablePlan(TableId table) {
            this.table = table;
        }

        void add(RowChange change) {
            events[change.op().ordinal()]++;
            if (change.op() == Op.TRUNCATE) {
                truncate = true;
                lastByKey.clear();
                inOrder.clear();
            } else if (change.keyed()) {
                Object key = key(change);
                RowChange previous = lastByKey.remove(key);
                lastByKey.put(key, previous == null ? change : merge(previous, change));
            } else {
                inOrder.add(change);
            }
        }

        /** @return the keyed changes whose last op is a delete */
        List<RowChange> deletes() {
            return lastByKey.values().stream().filter(c -> c.op() == Op.DELETE).toList();
        }

        /** @return the keyed changes whose last op writes a row, grouped by the columns they carry */
        Collection<List<RowChange>> upsertsByColumns() {
            Map<List<String>, List<RowChange>> groups = new LinkedHashMap<>();
            for (RowChange change : lastByKey.values()) {
                if (change.op() != Op.DELETE) {
                    groups.computeIfAbsent(availableColumns(change), k -> new ArrayList<>()).add(change);
                }
            }
            return groups.values();
        }
    }

    /**
     * @param changes the batch's row changes in source order
     * @return the plan
     */
    static BatchPlan of(List<RowChange> changes) {
        BatchPlan plan = new BatchPlan();
        for (RowChange change : changes) {
            plan.tables.computeIfAbsent(change.table(), TablePlan::new).add(change);
        }
        return plan;
    }

    /** @return one plan per table, in order of first appearance */
    Collection<TablePlan> tables() {
        return tables.values();
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

    private static Object key(RowChange change) {
        List<String> keyColumns = change.keyColumns();
        if (keyColumns.size() == 1) {
            return hashable(change.row().get(keyColumns.get(0)));
        }
        List<Object> key = new ArrayList<>(keyColumns.size());
        for (String column : keyColumns) {
            key.add(hashable(change.row().get(column)));
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
        return new RowChange(next.table(), next.op(), next.keyColumns(), row, next.before(), next.sourceTsMs());
    }
}
