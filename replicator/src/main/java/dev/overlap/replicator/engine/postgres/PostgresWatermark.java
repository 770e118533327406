package dev.overlap.replicator.engine.postgres;

import dev.overlap.checksum.ReplicationWatermark;
import dev.overlap.replicator.offset.OffsetStore;
import dev.overlap.replicator.offset.SourcePosition;
import dev.overlap.replicator.verify.AppliedOffsets;
import dev.overlap.replicator.verify.PipelineWatermark;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The {@link ReplicationWatermark} of a PostgreSQL pipeline: the source position is the WAL LSN
 * ({@code pg_current_wal_lsn()}, as a byte position), the applied position is the {@code lsn} the
 * Applier committed into {@code overlap_offsets} on the target together with the rows. pgoutput sends
 * transactions in commit order, so once the stored LSN has reached a source LSN, every transaction
 * committed before it is on the target. The daemon's heartbeat (a source write every second) keeps
 * the stored LSN moving while the application is idle.
 */
final class PostgresWatermark implements PipelineWatermark {
    private final OffsetStore offsets;
    private final AppliedOffsets applied;

    /**
     * @param pipeline the pipeline whose offset row is read
     * @param target opens a connection to the target for each wait
     */
    PostgresWatermark(String pipeline, Supplier<Connection> target) {
        this.offsets = new OffsetStore(pipeline, new PostgresDialect());
        this.applied = new AppliedOffsets(offsets, target);
    }

    /**
     * @param connection a target connection
     * @return whether the pipeline has an offset on the target, i.e. replication runs or has run, so that
     *         verifying needs the watermark
     * @throws SQLException when the offsets table exists but cannot be read
     */
    @Override
    public boolean replicating(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT to_regclass('" + OffsetStore.TABLE + "') IS NOT NULL")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return false;
            }
        }
        return offsets.load(connection).isPresent();
    }

    @Override
    public Object sourcePosition(Connection source) throws SQLException {
        try (Statement st = source.createStatement();
             ResultSet rs = st.executeQuery("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public boolean awaitApplied(Object position, Duration timeout) throws SQLException, InterruptedException {
        long wanted = (Long) position;
        return applied.await(offset -> offset.position() instanceof SourcePosition.Lsn lsn && lsn.value() >= wanted, timeout);
    }
}
