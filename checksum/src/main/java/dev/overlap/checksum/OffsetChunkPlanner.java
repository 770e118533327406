package dev.overlap.checksum;

import java.sql.SQLException;
import java.util.Optional;

/**
 * A {@link ChunkPlanner} by paging, for any key: the next chunk ends at the key {@code n - 1} rows after
 * the previous chunk's end in key order ({@code ORDER BY key OFFSET n - 1 LIMIT 1}), {@code n} from the
 * table's {@link ChunkSizer}, so every chunk holds exactly {@code n} source rows but finding its end
 * reads its keys once more on the source (on InnoDB about as long as counting them). The last chunk has
 * no upper bound. Thread-safe.
 */
final class OffsetChunkPlanner implements ChunkPlanner {
    private final boolean keyed;
    private final ChunkSizer sizer;
    private Key lower;
    private boolean done;

    /**
     * @param keyed whether the table has a primary key
     * @param sizer the table's chunk sizer
     */
    OffsetChunkPlanner(boolean keyed, ChunkSizer sizer) {
        this.keyed = keyed;
        this.sizer = sizer;
    }

    @Override
    public synchronized Optional<KeyRange> next(TableSide source) throws SQLException {
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
