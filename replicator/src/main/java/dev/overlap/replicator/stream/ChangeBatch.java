package dev.overlap.replicator.stream;

import java.util.List;
import java.util.Map;

/**
 * The changes of one Debezium batch, in source order, with the source position after the batch.
 *
 * @param changes row changes in source commit order; may be empty (heartbeats only)
 * @param partition Debezium source partition of the last record, e.g. {@code {server=shop}}
 * @param offset Debezium source offset of the last record (LSN, or binlog file/position/GTID set)
 * @param records how many Debezium records the batch held, row changes or not
 * @param schemaChanges the DDL statements of a batch that holds nothing else ({@code changes} empty), or empty
 *        for a batch of row changes: the stream cuts its batches at each statement, so that the target runs it
 *        after the rows before it committed and before any row after it. More than one when the connector
 *        splits one source statement that carries a single position (MySQL's {@code RENAME TABLE a TO b, c TO a}).
 */
public record ChangeBatch(List<RowChange> changes, Map<String, ?> partition, Map<String, ?> offset, int records,
                          List<SchemaChange> schemaChanges) {
    /** A batch of row changes. */
    public ChangeBatch(List<RowChange> changes, Map<String, ?> partition, Map<String, ?> offset, int records) {
        this(changes, partition, offset, records, List.of());
    }

    /** @return whether the batch holds DDL statements rather than row changes */
    public boolean schemaChange() {
        return !schemaChanges.isEmpty();
    }
}
