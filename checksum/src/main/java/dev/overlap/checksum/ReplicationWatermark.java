package dev.overlap.checksum;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/**
 * How far replication has got, for verifying while it runs: a read of the target reflects every source
 * change committed before a source position once the target has applied past that position. The
 * verifier reads the source position right after reading a chunk on the source and, before trusting a
 * difference, waits until the target has applied past it.
 */
public interface ReplicationWatermark {

    /**
     * @param source the connection the chunk was just read on
     * @return the source's current position (e.g. a PostgreSQL WAL LSN), opaque to the caller
     * @throws SQLException when the position cannot be read
     */
    Object sourcePosition(Connection source) throws SQLException;

    /**
     * Waits until the target has applied every source change before {@code position}.
     *
     * @param position a value from {@link #sourcePosition}
     * @param timeout most time to wait
     * @return whether the target got there within the timeout
     * @throws SQLException when the applied position cannot be read
     * @throws InterruptedException when interrupted while waiting
     */
    boolean awaitApplied(Object position, Duration timeout) throws SQLException, InterruptedException;
}
