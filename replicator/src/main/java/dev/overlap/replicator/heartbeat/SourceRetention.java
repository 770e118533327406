package dev.overlap.replicator.heartbeat;

/**
 * What the source keeps for the pipeline, as one probe read it ({@link SourceProbe}).
 *
 * @param backlogBytes source WAL/binlog bytes not yet applied, or -1 when not known (yet)
 * @param retainedBytes WAL/binlog bytes the source keeps for the pipeline, or -1 when not known
 * @param headroom share of the source's retention limit left before the pipeline's position is removed (0..1), or
 *        -1 when the source sets no limit
 * @param limit the source's retention setting as the server shows it (e.g. {@code max_slot_wal_keep_size 1GB}), for
 *        messages; empty when it sets none
 * @param lost why the source no longer has the pipeline's position (the slot invalidated, the binlog purged), or
 *        {@code null} while it has it
 * @param streamConnected whether the source sees the pipeline's stream connected (PostgreSQL: the slot is active), or
 *        {@code null} when it cannot tell (MySQL/MariaDB)
 */
public record SourceRetention(long backlogBytes, long retainedBytes, double headroom, String limit, String lost,
                              Boolean streamConnected) {

    /** @return a reading that knows nothing yet */
    public static SourceRetention unknown() {
        return new SourceRetention(-1, -1, -1, "", null, null);
    }
}
