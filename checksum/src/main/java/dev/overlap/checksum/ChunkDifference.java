package dev.overlap.checksum;

import java.util.Map;

/**
 * A chunk whose digests differ on the two sides (after any re-checks).
 *
 * @param lower exclusive lower key bound, column to value text; {@code null} from the table's start
 * @param upper inclusive upper key bound; {@code null} to the table's end
 * @param sourceRows rows in the chunk on the source
 * @param targetRows rows in the chunk on the target
 */
public record ChunkDifference(Map<String, String> lower, Map<String, String> upper, long sourceRows, long targetRows) {
}
