package dev.overlap.checksum;

import java.time.Duration;

/**
 * Sizes chunks so that each takes about a target time, after pt-table-checksum's {@code --chunk-time}:
 * it keeps a weighted average of the measured rate (rows and seconds each decayed by 0.75 per chunk,
 * so recent chunks count most) and sizes the next chunk as rate times target time, bounded so that
 * one slow or fast measurement cannot swing it by more than a factor of 2. Thread-safe.
 */
public final class ChunkSizer {
    private static final double DECAY = 0.75;
    private final double targetSeconds;
    private final long minRows;
    private final long maxRows;
    private double weightedRows;
    private double weightedSeconds;
    private long next;

    /**
     * @param target work per chunk (both sides together), e.g. 0.5 s
     * @param initialRows size of the first chunk, e.g. 10,000
     * @param minRows smallest chunk, {@code >= 1}
     * @param maxRows largest chunk
     */
    public ChunkSizer(Duration target, long initialRows, long minRows, long maxRows) {
        if (minRows < 1 || maxRows < minRows || target.isNegative() || target.isZero()) {
            throw new IllegalArgumentException("need 0 < target, 1 <= minRows <= maxRows");
        }
        this.targetSeconds = target.toNanos() / 1e9;
        this.minRows = minRows;
        this.maxRows = maxRows;
        this.next = Math.max(minRows, Math.min(maxRows, initialRows));
    }

    /** @return rows of the next chunk */
    public synchronized long nextRows() {
        return next;
    }

    /**
     * Records a finished chunk and resizes the next one.
     *
     * @param rows rows the chunk held
     * @param elapsed time it took
     */
    public synchronized void record(long rows, Duration elapsed) {
        if (rows <= 0) {
            return;
        }
        weightedRows = weightedRows * DECAY + rows;
        weightedSeconds = weightedSeconds * DECAY + Math.max(elapsed.toNanos(), 1_000) / 1e9;
        long wanted = Math.round(weightedRows / weightedSeconds * targetSeconds);
        long bounded = Math.max(next / 2, Math.min(next * 2, wanted));
        next = Math.max(minRows, Math.min(maxRows, bounded));
    }
}
