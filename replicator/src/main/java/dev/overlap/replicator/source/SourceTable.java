package dev.overlap.replicator.source;

import dev.overlap.replicator.stream.TableId;
import java.util.List;

/**
 * A source table selected for replication.
 *
 * @param id schema and name
 * @param columns column names in catalog order
 * @param keyColumns primary key columns in key order; empty when the table replicates by REPLICA IDENTITY FULL
 */
public record SourceTable(TableId id, List<String> columns, List<String> keyColumns) {
}
