package dev.overlap.replicator.copy;

import dev.overlap.replicator.offset.SourcePosition;
import java.sql.Connection;
import java.util.List;

/**
 * Source sessions that read one consistent snapshot, and where the change stream continues after it.
 * Closing ends the sessions' transactions and closes them.
 */
public interface ConsistentSnapshot extends AutoCloseable {

    /** @return the sessions, each in a read-only transaction on the snapshot */
    List<Connection> sessions();

    /** @return the stream position the snapshot corresponds to */
    SourcePosition position();

    @Override
    void close();
}
