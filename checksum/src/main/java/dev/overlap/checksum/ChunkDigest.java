package dev.overlap.checksum;

import java.math.BigInteger;

/**
 * What one side holds in a key range: its row count and the sum of a signed 64-bit hash of each row's
 * canonical text. A sum, unlike an XOR, does not cancel out two equal rows, and unlike a CRC32 it
 * leaves a changed row unnoticed only with probability about 2^-64.
 *
 * @param rows row count
 * @param hashSum exact sum of the rows' hashes (no overflow)
 */
public record ChunkDigest(long rows, BigInteger hashSum) {
}
