package dev.overlap.replicator.source;

import dev.overlap.replicator.stream.TableId;
import dev.overlap.replicator.target.UniqueIndex;
import java.util.List;

/**
 * A source table selected for replication.
 *
 * @param id schema and name
 * @param columns column names in catalog order
 * @param keyColumns the columns Debezium keys the table's change events by, in key order: its primary key, or
 *        on MySQL/MariaDB for a table without one the first unique index of NOT NULL columns; empty for a
 *        table without either (replicated by whole rows: REPLICA IDENTITY FULL, full binlog row images)
 * @param uniqueIndexes the table's unique indexes and constraints other than its primary key
 */
public record SourceTable(TableId id, List<String> columns, List<String> keyColumns, List<UniqueIndex> uniqueIndexes) {
}
