package dev.overlap.checksum;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects what the workers find in one table and turns it into a {@link TableReport}. Lists are capped
 * at {@code maxDifferences}, totals count everything. Thread-safe.
 */
final class TableTally {
    private final String table;
    private final int maxDifferences;
    private final List<ChunkDifference> chunkDifferences = new ArrayList<>();
    private final List<RowDifference> rowDifferences = new ArrayList<>();
    private long chunks;
    private long sourceRows;
    private long targetRows;
    private long differentChunks;
    private long missing;
    private long extra;
    private long different;

    TableTally(String table, int maxDifferences) {
        this.table = table;
        this.maxDifferences = maxDifferences;
    }

    /**
     * Counts a compared chunk.
     *
     * @param sourceRows its rows on the source, in the read the verdict rests on
     * @param targetRows its rows on the target, in the same read
     */
    synchronized void chunk(long sourceRows, long targetRows) {
        chunks++;
        this.sourceRows += sourceRows;
        this.targetRows += targetRows;
    }

    synchronized void chunkDiffers(ChunkDifference difference) {
        differentChunks++;
        if (chunkDifferences.size() < maxDifferences) {
            chunkDifferences.add(difference);
        }
    }

    synchronized void rows(List<RowDifference> differences) {
        for (RowDifference d : differences) {
            count(d.kind(), 1);
            if (rowDifferences.size() < maxDifferences) {
                rowDifferences.add(d);
            }
        }
    }

    /**
     * Counts rows present on one side only without listing them, beyond those listed with {@link #rows}.
     *
     * @param kind {@link RowDifference.Kind#MISSING} or {@link RowDifference.Kind#EXTRA}
     * @param unlisted how many
     */
    synchronized void unlisted(RowDifference.Kind kind, long unlisted) {
        count(kind, unlisted);
    }

    /** @return how many more row differences the report lists */
    synchronized int listRoom() {
        return maxDifferences - rowDifferences.size();
    }

    private void count(RowDifference.Kind kind, long n) {
        switch (kind) {
            case MISSING -> missing += n;
            case EXTRA -> extra += n;
            case DIFFERENT -> different += n;
        }
    }

    /**
     * @param countedSource {@code count(*)} on the source of a table that is not compared, or -1 when
     *        missing there (unused for a compared table)
     * @param countedTarget {@code count(*)} on the target likewise
     * @param note why the comparison was limited, or {@code null}
     * @param comparable whether the table's chunks were compared (same columns and key on both sides)
     * @return the report; equal when comparable and no chunk differs. The row counts of a compared table
     *         are the sums of its chunks' counts, read with the hashes the verdict rests on; otherwise the
     *         {@code count(*)}
     */
    synchronized TableReport report(long countedSource, long countedTarget, String note, boolean comparable) {
        boolean equal = comparable && differentChunks == 0;
        return new TableReport(table, equal, comparable ? sourceRows : countedSource, comparable ? targetRows : countedTarget,
                chunks, differentChunks, missing, extra, different, note,
                List.copyOf(chunkDifferences), List.copyOf(rowDifferences));
    }
}
