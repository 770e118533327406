package dev.overlap.replicator.engine.postgres;

/**
 * A PostgreSQL logical replication slot as {@code pg_replication_slots} shows it.
 *
 * @param name slot name
 * @param activePid backend pid of the process streaming from it, or {@code null} when inactive
 * @param confirmedFlushLsn the LSN up to which the consumer confirmed, or {@code null}
 * @param walStatus {@code reserved}, {@code extended}, {@code unreserved} or {@code lost} (PostgreSQL 13+), or
 *        {@code null} on older servers
 */
record ReplicationSlot(String name, Integer activePid, String confirmedFlushLsn, String walStatus) {
    /** @return whether the server invalidated the slot: it removed WAL the slot had not streamed */
    public boolean lost() {
        return "lost".equals(walStatus);
    }

    /** @return whether a process is streaming from the slot now */
    public boolean active() {
        return activePid != null;
    }
}
