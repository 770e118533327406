package dev.overlap.replicator.verify;

import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.stream.ChangeBatch;
import dev.overlap.replicator.stream.RowChange;
import dev.overlap.replicator.stream.SchemaChange;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The primary keys of the rows the pipeline wrote to the target since given moments: what a cutover re-checks
 * while the source is frozen, after a verification pass found the tables equal ({@link Since}). The stream records
 * each batch after it committed ({@link #record}); a table whose rows cannot be listed by key (a TRUNCATE, a DDL
 * statement, a table without a key, or more than {@value #MAX_KEYS_PER_TABLE} keys) is marked whole instead, to be
 * verified whole. Memory: at most {@value #MAX_KEYS_PER_TABLE} keys per table and open {@link Since}, about 100
 * bytes per key of one integer column.
 */
public final class ChangedKeys {
    /** Keys kept per table and {@link Since}; past it the table is marked whole. */
    public static final int MAX_KEYS_PER_TABLE = 100_000;

    private final List<Since> open = new CopyOnWriteArrayList<>();

    /** @return a record of every change committed from now on, until it is closed */
    public Since start() {
        Since since = new Since();
        open.add(since);
        return since;
    }

    /**
     * Records a committed batch in every open {@link Since}; called on the stream's thread after the commit.
     *
     * @param batch the batch the target committed
     */
    public void record(ChangeBatch batch) {
        for (Since since : open) {
            since.record(batch);
        }
    }

    /** One key's values, compared by content (a {@code byte[]} key too). */
    private record KeyValues(Object[] values) {
        @Override
        public boolean equals(Object other) {
            return other instanceof KeyValues k && Arrays.deepEquals(values, k.values);
        }

        @Override
        public int hashCode() {
            return Arrays.deepHashCode(values);
        }

        @Override
        public String toString() {
            return "KeyValues[" + values.length + " columns]";
        }
    }

    /** The changes committed since this record was started; thread-safe. */
    public final class Since implements AutoCloseable {
        private final Map<TableId, Set<KeyValues>> keys = new HashMap<>();
        private final Map<TableId, List<String>> keyColumns = new HashMap<>();
        private final Set<TableId> whole = new LinkedHashSet<>();
        private long total;

        private Since() {
        }

        private synchronized void record(ChangeBatch batch) {
            for (SchemaChange ddl : batch.schemaChanges()) {
                ddl.tables().forEach(this::markWhole);
            }
            for (RowChange change : batch.changes()) {
                if (whole.contains(change.table())) {
                    continue;
                }
                if (change.op() == RowChange.Op.TRUNCATE || !change.keyed()
                        || !change.keyColumns().equals(keyColumns.getOrDefault(change.table(), change.keyColumns()))) {
                    markWhole(change.table());
                    continue;
                }
                keyColumns.putIfAbsent(change.table(), change.keyColumns());
                add(change.table(), change.keyColumns(), change.row());
                if (change.keyMove()) {
                    add(change.table(), change.keyColumns(), change.newKey());
                }
            }
        }

        private void add(TableId table, List<String> columns, Map<String, Object> row) {
            Object[] values = new Object[columns.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = row.get(columns.get(i));
                if (values[i] == null || values[i] == RowChange.UNAVAILABLE) {
                    markWhole(table);
                    return;
                }
            }
            Set<KeyValues> set = keys.computeIfAbsent(table, t -> new HashSet<>());
            if (set.add(new KeyValues(values))) {
                total++;
                if (set.size() > MAX_KEYS_PER_TABLE) {
                    markWhole(table);
                }
            }
        }

        private void markWhole(TableId table) {
            Set<KeyValues> dropped = keys.remove(table);
            total -= dropped == null ? 0 : dropped.size();
            keyColumns.remove(table);
            whole.add(table);
        }

        /** @return the tables to verify whole: truncated, altered, keyless or with too many changed keys */
        public synchronized Set<TableId> whole() {
            return Set.copyOf(whole);
        }

        /** @return the tables with changed keys (and not whole) */
        public synchronized Set<TableId> tables() {
            return Set.copyOf(keys.keySet());
        }

        /** @return the key columns the table's keys are given in, or an empty list for a table without changed keys */
        public synchronized List<String> keyColumns(TableId table) {
            return keyColumns.getOrDefault(table, List.of());
        }

        /** @return a copy of the table's changed keys, each its key columns' values in {@link #keyColumns} order */
        public synchronized List<List<Object>> keys(TableId table) {
            List<List<Object>> copy = new ArrayList<>();
            for (KeyValues key : keys.getOrDefault(table, Set.of())) {
                copy.add(Arrays.asList(key.values()));
            }
            return copy;
        }

        /** @return changed keys kept, all tables */
        public synchronized long size() {
            return total;
        }

        /** Stops recording and lets the keys go. */
        @Override
        public void close() {
            open.remove(this);
        }
    }
}
