package dev.overlap.replicator.target;

/**
 * One column of a target table.
 *
 * @param name column name as in the catalog
 * @param typeName the database's type name, e.g. {@code int4}, {@code jsonb}, {@code _int4} (an int4 array)
 * @param array whether the column holds an array
 */
public record TargetColumn(String name, String typeName, boolean array) {
}
