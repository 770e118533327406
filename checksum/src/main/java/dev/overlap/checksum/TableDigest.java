package dev.overlap.checksum;

import java.math.BigInteger;

/**
 * What one side holds of a table: its row count and the sum of a 64-bit hash of each row's text.
 * A sum, unlike an XOR, does not cancel out pairs of equal rows.
 *
 * @param rows row count
 * @param hashSum sum of the rows' signed 64-bit hashes (exact, no overflow)
 */
public record TableDigest(long rows, BigInteger hashSum) {
}
