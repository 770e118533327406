package dev.overlap.checksum;

import java.util.List;

/**
 * The columns of a table on one side, as its catalog describes them.
 *
 * @param name the table
 * @param columns every column in catalog order
 * @param key the primary-key columns in key order; empty when the table has no primary key
 */
public record TableSchema(TableName name, List<Column> columns, List<Column> key) {

    /**
     * One column.
     *
     * @param name column name, unquoted
     * @param type the SQL type as the engine writes it, e.g. {@code numeric(12,2)}, usable in a {@code CAST}
     * @param kind the type family that decides the column's canonical text
     * @param nullable whether the column may hold NULL on this side ({@code NOT NULL} columns skip the
     *        NULL marker in the row text, which costs time per row)
     * @param collation the collation that orders the column's values on this side, e.g. {@code en_US.UTF-8}
     *        or {@code utf8mb4_general_ci}; {@code null} for types without one (numbers, dates, binary...)
     */
    public record Column(String name, String type, Kind kind, boolean nullable, String collation) {
    }

    /** Type families whose canonical text needs more than the engine's plain text output. */
    public enum Kind {
        /** {@code CHAR(n)}: compared without its trailing pad spaces */
        FIXED_CHAR,
        /** {@code json}: compared by its normalised {@code jsonb} form (key order and white space do not matter) */
        JSON,
        /** MySQL/MariaDB character strings (CHAR, VARCHAR, TEXT, ENUM, SET): quoted, so that no value runs into the next */
        TEXT,
        /** MySQL/MariaDB byte strings (BINARY, VARBINARY, BLOB, spatial): compared as hex */
        BINARY,
        /** MySQL/MariaDB {@code BIT(n)}: compared as its unsigned integer value */
        BIT,
        /** MySQL/MariaDB {@code FLOAT}: compared as its exact value widened to double (the plain text keeps only 6 digits) */
        FLOAT,
        /** every other type: the engine's text output under the session settings of the dialect */
        PLAIN
    }

    /** @return whether the table has a primary key, which chunking and row-level comparison need */
    public boolean hasKey() {
        return !key.isEmpty();
    }

    /** @return the same table without its primary key: compared whole, as one chunk, without row-level detail */
    public TableSchema withoutKey() {
        return new TableSchema(name, columns, List.of());
    }

    /** @return the column names in catalog order */
    public List<String> columnNames() {
        return columns.stream().map(Column::name).toList();
    }
}
