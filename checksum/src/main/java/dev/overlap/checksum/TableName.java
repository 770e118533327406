package dev.overlap.checksum;

/**
 * A table as the catalogs name it: schema (PostgreSQL) or database (MySQL/MariaDB), and table name,
 * both case-sensitive and unquoted.
 *
 * @param schema schema name, e.g. {@code public}
 * @param table table name, e.g. {@code orders}
 */
public record TableName(String schema, String table) {

    /**
     * @param qualified {@code schema.table}, unquoted; the first dot separates the two
     * @return the table name
     * @throws IllegalArgumentException when there is no dot, or nothing on one side of it
     */
    public static TableName parse(String qualified) {
        int dot = qualified.indexOf('.');
        if (dot <= 0 || dot == qualified.length() - 1) {
            throw new IllegalArgumentException("'" + qualified + "' is not of the form schema.table");
        }
        return new TableName(qualified.substring(0, dot), qualified.substring(dot + 1));
    }

    /** @return {@code schema.table}, unquoted */
    @Override
    public String toString() {
        return schema + "." + table;
    }
}
