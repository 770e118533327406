package dev.overlap.replicator.catalog;

import java.util.List;

/**
 * A unique index or constraint of a table other than its primary key: where two rows' values can
 * collide, so that the Applier keeps the source's order of the changes that touch it.
 *
 * @param name the index name, for messages
 * @param columns the indexed columns, in index order
 * @param exact whether equal values of {@code columns} are exactly what collides; {@code false} for an
 *        index on expressions or column prefixes, a partial index, or a PostgreSQL exclusion constraint,
 *        where any column may matter
 */
public record UniqueIndex(String name, List<String> columns, boolean exact) {
}
