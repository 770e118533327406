package dev.overlap.replicator.engine.postgres;

/**
 * A PostgreSQL logical replication slot as {@code pg_replication_slots} shows it.
 *
 * @param name slot name
 * @param activePid backend pid of the process streaming from it, or {@code null} when inactive
 * @param confirmedFlushLsn the LSN up to which the consumer confirmed, or {@code null}
 */
record ReplicationSlot(String name, Integer activePid, String confirmedFlushLsn) {
    /** @return whether a process is streaming from the slot now */
    public boolean active() {
        return activePid != null;
    }
}
