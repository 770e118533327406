package dev.overlap.checksum;

import java.util.List;

/**
 * The verification of one table.
 *
 * @param table {@code schema.table}
 * @param equal whether both sides hold the same rows
 * @param sourceRows row count on the source ({@code -1} when the table is missing there)
 * @param targetRows row count on the target ({@code -1} when the table is missing there)
 * @param chunks chunks compared
 * @param differentChunks chunks that differ, all of them
 * @param missingRows rows on the source only (row level only; all of them)
 * @param extraRows rows on the target only (row level only)
 * @param differentRows rows on both with different values (row level only)
 * @param note why the comparison was limited, e.g. no primary key or a missing table; {@code null} when none
 * @param chunkDifferences the first differing chunks, at most {@link VerifyOptions#maxDifferences}
 * @param rowDifferences the first differing rows in key order per chunk, at most {@link VerifyOptions#maxDifferences}
 */
public record TableReport(String table, boolean equal, long sourceRows, long targetRows, long chunks, long differentChunks,
                          long missingRows, long extraRows, long differentRows, String note,
                          List<ChunkDifference> chunkDifferences, List<RowDifference> rowDifferences) {
}
