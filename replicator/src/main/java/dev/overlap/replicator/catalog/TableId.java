package dev.overlap.replicator.catalog;

/**
 * A table: schema and name on PostgreSQL, database and name on MySQL/MariaDB.
 *
 * @param schema schema (PostgreSQL) or database (MySQL/MariaDB)
 * @param table table name, as in the catalog
 */
public record TableId(String schema, String table) {
    @Override
    public String toString() {
        return schema + "." + table;
    }
}
