package dev.overlap.checksum;

import java.math.BigInteger;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link ChunkPlanner} by key arithmetic, for a one-column integer key: each chunk starts at the
 * source's next key after the previous chunk (one index lookup, {@code key > lower ORDER BY key LIMIT 1},
 * which also skips any gap in the keys) and spans as many key values as should hold the
 * {@link ChunkSizer}'s rows at the density seen so far ({@link KeyDensity}). Unlike paging, finding a
 * chunk's end reads no rows: on InnoDB, paging to the end of a chunk costs about as much as counting
 * it, a sixth of the source's work per chunk. A chunk holds about, not exactly, the wanted rows; a
 * chunk whose end would reach the source's greatest key (read at the first chunk, and again when a
 * chunk's end reaches it, as a live table grows at its end) is the last, with no upper bound. Key texts
 * are the engine's decimal integers. Thread-safe.
 */
final class KeySpanPlanner implements ChunkPlanner {
    private final ChunkSizer sizer;
    private final KeyDensity density = new KeyDensity();
    /** Chunks handed out and not yet recorded: upper bound to span. */
    private final Map<BigInteger, BigInteger> spans = new HashMap<>();
    private BigInteger lower;
    /** The source's greatest key; null until the first chunk is planned. */
    private BigInteger greatest;
    private boolean done;

    /**
     * @param sizer the table's chunk sizer
     */
    KeySpanPlanner(ChunkSizer sizer) {
        this.sizer = sizer;
    }

    @Override
    public synchronized Optional<KeyRange> next(TableSide source) throws SQLException {
        if (done) {
            return Optional.empty();
        }
        if (greatest == null) {
            Optional<Key> last = source.lastKey();
            if (last.isEmpty()) {
                done = true;
                return Optional.of(KeyRange.ALL);
            }
            greatest = integer(last.get());
        }
        Key from = lower == null ? null : key(lower);
        Optional<Key> first = source.keyAt(new KeyRange(from, null), 0);
        BigInteger span = density.span(sizer.nextRows());
        BigInteger upper = first.isEmpty() ? null : integer(first.get()).add(span).subtract(BigInteger.ONE);
        if (upper != null && upper.compareTo(greatest) >= 0) {
            // rows inserted since the start (a live table grows at its end) get chunks of their own
            greatest = source.lastKey().map(KeySpanPlanner::integer).orElse(greatest);
        }
        if (upper == null || upper.compareTo(greatest) >= 0) {
            done = true;
            return Optional.of(new KeyRange(from, null));
        }
        spans.put(upper, span);
        lower = upper;
        return Optional.of(new KeyRange(from, key(upper)));
    }

    @Override
    public synchronized void record(KeyRange range, long rows) {
        if (range.upper() != null) {
            BigInteger span = spans.remove(integer(range.upper()));
            if (span != null) {
                density.record(rows, span);
            }
        }
    }

    private static BigInteger integer(Key key) {
        return new BigInteger(key.values().get(0));
    }

    private static Key key(BigInteger value) {
        return new Key(List.of(value.toString()));
    }
}
