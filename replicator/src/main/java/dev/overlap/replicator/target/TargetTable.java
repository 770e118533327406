package dev.overlap.replicator.target;

import dev.overlap.replicator.stream.TableId;
import java.util.List;
import java.util.Map;

/**
 * A table on the target as its catalog describes it.
 *
 * @param id schema and name
 * @param columns columns by name, in catalog order
 * @param keyColumns primary key columns in key order; empty when the table has none
 */
public record TargetTable(TableId id, Map<String, TargetColumn> columns, List<String> keyColumns) {

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
}
