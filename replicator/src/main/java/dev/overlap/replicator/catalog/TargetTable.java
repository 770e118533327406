package dev.overlap.replicator.catalog;

import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * A table on the target as its catalog describes it.
 *
 * @param id schema and name
 * @param columns columns by name, in catalog order
 * @param keyColumns primary key columns in key order; empty when the table has none
 * @param uniqueIndexes its unique indexes and constraints other than the primary key (exclusion
 *        constraints included), in name order
 */
public record TargetTable(TableId id, Map<String, TargetColumn> columns, List<String> keyColumns,
                          List<UniqueIndex> uniqueIndexes) {

    /**
     * @param name a column name
     * @return that column
     * @throws IllegalStateException when the target table has no such column (the source schema changed)
     */
    public TargetColumn column(String name) {
        TargetColumn column = columns.get(name);
        if (column == null) {
            throw new IllegalStateException("target table " + id + " has no column '" + name
                    + "'; add it on the target (ALTER TABLE) the same way as on the source, then restart overlap");
        }
        return column;
    }

    /**
     * @param key columns that identify a row, in any order
     * @return whether the primary key or an exact unique index covers exactly these columns, so that an
     *         upsert can name them as its conflict target
     */
    public boolean hasUniqueKey(List<String> key) {
        if (new HashSet<>(keyColumns).equals(new HashSet<>(key))) {
            return true;
        }
        return uniqueIndexes.stream().anyMatch(index -> index.exact() && new HashSet<>(index.columns()).equals(new HashSet<>(key)));
    }
}
