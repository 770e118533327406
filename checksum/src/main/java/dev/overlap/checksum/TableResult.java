package dev.overlap.checksum;

/**
 * The comparison of one table.
 *
 * @param table {@code schema.table}
 * @param source what the source holds
 * @param target what the target holds
 */
public record TableResult(String table, TableDigest source, TableDigest target) {
    /** @return whether both sides hold the same rows */
    public boolean equal() {
        return source.equals(target);
    }
}
