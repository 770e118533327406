package dev.overlap.replicator.offset;

import java.util.Map;

/**
 * The source position of the last change applied to the target, as Debezium describes it.
 *
 * @param partition Debezium source partition, e.g. {@code {server=shop}}
 * @param offset Debezium source offset: on PostgreSQL {@code lsn}, {@code lsn_proc}, {@code lsn_commit},
 *        {@code txId}, {@code ts_usec} and, during the initial snapshot, {@code snapshot=true}
 */
public record StoredOffset(Map<String, Object> partition, Map<String, Object> offset) {

    /** @return whether this offset was taken inside an initial snapshot that has not finished */
    public boolean snapshotInProgress() {
        Object snapshot = offset.get("snapshot");
        Object last = offset.get("last_snapshot_record");
        boolean inSnapshot = snapshot != null && !Boolean.FALSE.equals(snapshot) && !"false".equalsIgnoreCase(snapshot.toString());
        return inSnapshot && !Boolean.TRUE.equals(last) && !"true".equals(String.valueOf(last));
    }

    /** @return the PostgreSQL LSN of this offset, or {@code null} when it has none */
    public Long lsn() {
        Object lsn = offset.get("lsn");
        return lsn instanceof Number n ? n.longValue() : null;
    }
}
