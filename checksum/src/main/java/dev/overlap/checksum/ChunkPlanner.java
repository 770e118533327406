package dev.overlap.checksum;

import java.sql.SQLException;
import java.util.Optional;

/**
 * Cuts one table into consecutive primary-key ranges, one at a time, on the source: the next chunk
 * ends at the key {@code n - 1} rows after the previous chunk's end in key order
 * ({@code ORDER BY key OFFSET n - 1 LIMIT 1}), {@code n} from the table's {@link ChunkSizer}; the last
 * chunk has no upper bound, so rows beyond the source's last key (extra on the target) are compared
 * too. A table without a primary key is one chunk, the whole table. Thread-safe.
 */
final class ChunkPlanner {
    private final boolean keyed;
    private final ChunkSizer sizer;
    private Key lower;
    private boolean done;

    /**
     * @param keyed whether the table has a primary key
     * @param sizer the table's chunk sizer
     */
    ChunkPlanner(boolean keyed, ChunkSizer sizer) {
        this.keyed = keyed;
        this.sizer = sizer;
    }

    /**
     * @param source the table on the source, read through the caller's connection
     * @return the next chunk, or empty when the table is covered
     * @throws SQLException when the source fails
     */
    synchronized Optional<KeyRange> next(TableSide source) throws SQLException {
        if (done) {
            return Optional.empty();
        }
        if (!keyed) {
            done = true;
            return Optional.of(KeyRange.ALL);
        }
        Optional<Key> upper = source.keyAt(new KeyRange(lower, null), sizer.nextRows() - 1);
        KeyRange range = new KeyRange(lower, upper.orElse(null));
        lower = upper.orElse(null);
        done = upper.isEmpty();
        return Optional.of(range);
    }
}
