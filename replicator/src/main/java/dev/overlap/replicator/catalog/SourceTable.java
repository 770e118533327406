package dev.overlap.replicator.catalog;

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
 * @param cascades whether deleting or re-keying its rows changes other replicated tables inside the storage
 *        engine, unseen by the change stream: a MySQL/MariaDB parent of a foreign key with ON DELETE or ON
 *        UPDATE CASCADE or SET NULL (InnoDB does not write those changes to the binlog); the target must
 *        then cascade too
 */
public record SourceTable(TableId id, List<String> columns, List<String> keyColumns, List<UniqueIndex> uniqueIndexes,
                          boolean cascades) {
}
