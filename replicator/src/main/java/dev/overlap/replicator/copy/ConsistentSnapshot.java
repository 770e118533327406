package dev.overlap.replicator.copy;

import dev.overlap.replicator.offset.SourcePosition;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Source sessions that read one consistent snapshot, and where the change stream continues after it.
 * Closing ends the sessions' transactions and closes them.
 *
 * @param sessions the sessions, each in a read-only transaction on the snapshot
 * @param position the stream position the snapshot corresponds to
 */
public record ConsistentSnapshot(List<Connection> sessions, SourcePosition position) implements AutoCloseable {

    /** Closes every session; a failure to close one is left unsaid (the copy is over, or failed already). */
    @Override
    public void close() {
        sessions.forEach(ConsistentSnapshot::closeQuietly);
    }

    /**
     * Closes a connection after a failure, keeping the first failure the one reported.
     *
     * @param c the connection
     */
    public static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // the first failure is the one reported
        }
    }
}
