package dev.overlap.replicator.catalog;

/**
 * One column of a target table.
 *
 * @param name column name as in the catalog
 * @param typeName the database's type name, e.g. {@code int4}, {@code jsonb}, {@code _int4} (an int4 array)
 * @param array whether the column holds an array
 * @param generated whether the target computes the column itself (PostgreSQL {@code GENERATED ALWAYS AS … STORED},
 *        MySQL/MariaDB virtual and stored generated columns): never written, the target computes it
 * @param identityAlways whether it is a PostgreSQL {@code GENERATED ALWAYS AS IDENTITY} column: inserted with
 *        {@code OVERRIDING SYSTEM VALUE}, never updated
 */
public record TargetColumn(String name, String typeName, boolean array, boolean generated, boolean identityAlways) {
}
