package dev.overlap.checksum;

import java.time.Duration;

/**
 * How a verification runs.
 *
 * @param threads worker threads, each with one source and one target connection ({@code >= 1})
 * @param chunkTime target work per chunk for {@link ChunkSizer}
 * @param initialChunkRows rows in a table's first chunk
 * @param rowLevel whether a differing chunk is bisected down to rows and the keys named; without it the
 *        report stops at the differing chunks' key ranges (under live replication differences are always
 *        confirmed, and so listed, at row level)
 * @param bisectRows a differing range with at most this many rows on either side is fetched and compared
 *        row by row (bounds the memory of row-level comparison)
 * @param maxDifferences most differing chunks and most row differences listed per table; totals count all
 * @param rechecks under live replication, how many times a row difference is re-checked after the target has
 *        applied past the source position; only differences present in every re-check are reported
 * @param recheckTimeout most time one re-check waits for the target to apply past the source position
 */
public record VerifyOptions(int threads, Duration chunkTime, long initialChunkRows, boolean rowLevel, int bisectRows,
                            int maxDifferences, int rechecks, Duration recheckTimeout) {

    /**
     * @param threads worker threads
     * @param rowLevel whether to name differing rows
     * @param maxDifferences most differences listed per table
     * @return the defaults: 0.5 s chunks starting at 10,000 rows, 1,000-row leaves, 3 re-checks of up to 30 s
     */
    public static VerifyOptions defaults(int threads, boolean rowLevel, int maxDifferences) {
        return new VerifyOptions(threads, Duration.ofMillis(500), 10_000, rowLevel, 1_000, maxDifferences, 3, Duration.ofSeconds(30));
    }

    /** @throws IllegalArgumentException when a value is out of range */
    public VerifyOptions {
        if (threads < 1 || initialChunkRows < 1 || bisectRows < 2 || maxDifferences < 0 || rechecks < 1) {
            throw new IllegalArgumentException("threads >= 1, initialChunkRows >= 1, bisectRows >= 2, maxDifferences >= 0, rechecks >= 1");
        }
    }
}
