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
 */
public record ChangeBatch(List<RowChange> changes, Map<String, ?> partition, Map<String, ?> offset, int records) {
}
