package dev.overlap.replicator.copy;

import com.google.common.util.concurrent.RateLimiter;
import dev.overlap.replicator.catalog.SourceTable;
import dev.overlap.replicator.catalog.TableId;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * An engine's part of the initial copy ({@link InitialCopy}, docs/ARCHITECTURE.md "The initial copy"):
 * one consistent snapshot of the source shared by several sessions, at a known position of the change
 * stream, and the fastest way the engine has to move one chunk's rows from a snapshot session into a
 * target connection.
 */
public interface SnapshotCopier {

    /**
     * Opens {@code sessions} source sessions that all read the same consistent snapshot, and the position of
     * the change stream it corresponds to: every transaction committed before the position is in the
     * snapshot, every later one is streamed.
     *
     * @param tables the tables copied, the heartbeat table not included
     * @param sessions how many sessions, at least 1
     * @return the snapshot; the caller closes it
     * @throws SQLException when the source refuses
     */
    ConsistentSnapshot open(List<SourceTable> tables, int sessions) throws SQLException;

    /**
     * @param source a source connection (a snapshot session)
     * @param table a table
     * @return the catalog's estimate of its rows, 0 when it has none (never analysed)
     * @throws SQLException when the catalog cannot be read
     */
    long estimateRows(Connection source, TableId table) throws SQLException;

    /**
     * Copies one chunk's rows from a snapshot session into the target, in the target connection's open
     * transaction (the caller commits).
     *
     * @param source a session of the snapshot
     * @param target a target connection, auto-commit off, set up with {@link #targetSessionSql()}
     * @param chunk the rows to copy
     * @param limit the rows/s the copy may read from the source, or {@code null} for no limit
     * @param copied told the rows copied so far, now and then (for progress)
     * @return the rows copied
     * @throws SQLException when a side refuses; the caller rolls the target back
     * @throws InterruptedException when the copy is stopped
     */
    long copy(Connection source, Connection target, CopyChunk chunk, RateLimiter limit, LongConsumer copied)
            throws SQLException, InterruptedException;

    /** @return SQL run once on every target connection of the copy before its first chunk */
    String targetSessionSql();

    /**
     * @param typeName a key column's type name on the target, as the JDBC catalog gives it
     * @return whether the chunks may be ranges of it (a whole number type)
     */
    boolean integerType(String typeName);
}
