package dev.overlap.checksum;

import java.sql.SQLException;
import java.util.Optional;

/**
 * Cuts one table into consecutive primary-key ranges on the source, one at a time. The ranges
 * {@code lower < key <= upper} follow each other without gap or overlap; the first has no lower bound and
 * the last no upper bound, so that rows on the target below or beyond the source's keys are compared
 * too. A table without a primary key is one chunk, the whole table. Implementations are thread-safe.
 */
interface ChunkPlanner {

    /**
     * @param source the table on the source, read through the caller's connection
     * @return the next chunk, or empty when the table is covered
     * @throws SQLException when the source fails
     */
    Optional<KeyRange> next(TableSide source) throws SQLException;

    /**
     * Learns from a finished chunk; by default nothing.
     *
     * @param range a chunk this planner returned
     * @param rows the rows it held on the source
     */
    default void record(KeyRange range, long rows) {
    }

    /**
     * @param table the table on the source
     * @param sizer the table's chunk sizer, which says how many rows the next chunk should hold
     * @return key arithmetic ({@link KeySpanPlanner}) for a one-column integer key, whose chunk bounds
     *         cost an index lookup; paging ({@link OffsetChunkPlanner}) for any other key, whose bounds
     *         cost a scan of the chunk's keys
     */
    static ChunkPlanner of(TableSchema table, ChecksumDialect dialect, ChunkSizer sizer) {
        return dialect.integerKey(table) ? new KeySpanPlanner(sizer) : new OffsetChunkPlanner(table.hasKey(), sizer);
    }
}
