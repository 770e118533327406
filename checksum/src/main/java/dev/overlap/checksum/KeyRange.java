package dev.overlap.checksum;

/**
 * A range of primary-key values in the key's sort order: {@code lower < key <= upper}, the usual
 * keyset-pagination bounds, so that consecutive ranges neither overlap nor leave gaps.
 *
 * @param lower exclusive lower bound, or {@code null} for no lower bound
 * @param upper inclusive upper bound, or {@code null} for no upper bound
 */
public record KeyRange(Key lower, Key upper) {
    /** The whole table. */
    public static final KeyRange ALL = new KeyRange(null, null);
}
