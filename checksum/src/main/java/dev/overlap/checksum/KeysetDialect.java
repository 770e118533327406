package dev.overlap.checksum;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The part of a {@link ChecksumDialect} that is the same on every engine: the shape of the count,
 * digest, key-paging and row-fetch queries over a keyset range {@code lower < key <= upper}, in key
 * order, and the running of the catalog queries. An engine supplies those catalog queries, identifier
 * quoting, the key and column text expressions, the hash-sum aggregate and the bound conditions.
 */
abstract class KeysetDialect implements ChecksumDialect {

    /** @return a query of the user tables: schema and name per row, ordered by both */
    abstract String tablesSql();

    /** @return a query with one parameter, {@link #estimateParameter}, giving the catalog's row estimate (or no row) */
    abstract String estimateSql();

    /** @return the parameter of {@link #estimateSql} that names the table */
    abstract String estimateParameter(TableName table);

    @Override
    public List<TableName> tables(Connection connection) throws SQLException {
        List<TableName> tables = new ArrayList<>();
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(tablesSql())) {
            while (rs.next()) {
                tables.add(new TableName(rs.getString(1), rs.getString(2)));
            }
        }
        return tables;
    }

    @Override
    public long estimateRows(Connection connection, TableSchema table) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(estimateSql())) {
            ps.setString(1, estimateParameter(table.name()));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Math.max(0, rs.getLong(1)) : 0;
            }
        }
    }

    /** @return the identifier quoted for this engine */
    abstract String quote(String identifier);

    /** @return the table as a FROM clause names it */
    abstract String from(TableName table);

    /** @return an expression of the key column's text, which a bound parameter casts back to the same value */
    abstract String keyText(TableSchema.Column column);

    /** @return an expression of the column's canonical text, as {@link #rowsSql} returns it */
    abstract String columnText(TableSchema.Column column);

    /** @return an aggregate expression: the exact sum of the rows' 64-bit hashes, 0 over no rows */
    abstract String hashSum(TableSchema table);

    /**
     * @param lower {@code true} for {@code key > lower bound}, {@code false} for {@code key <= upper bound}
     * @return the condition, whose parameters are {@link ChecksumDialect#boundValues} of the bound
     */
    abstract String boundCondition(TableSchema table, boolean lower);

    /** @return whether the column holds integers of the engine's integer types (any width, signed or not) */
    abstract boolean integerType(TableSchema.Column column);

    @Override
    public boolean integerKey(TableSchema table) {
        return table.key().size() == 1 && integerType(table.key().get(0));
    }

    @Override
    public String lastKeySql(TableSchema table) {
        return "SELECT " + keyList(table, this::keyText) + " FROM " + from(table.name()) + " AS t"
                + orderByKey(table, " DESC") + " LIMIT 1";
    }

    @Override
    public String countSql(TableSchema table) {
        return "SELECT count(*) FROM " + from(table.name());
    }

    @Override
    public String digestSql(TableSchema table, KeyRange range) {
        return "SELECT count(*), " + hashSum(table) + " FROM " + from(table.name()) + " AS t" + where(table, range);
    }

    @Override
    public String keyAtSql(TableSchema table, KeyRange range) {
        return "SELECT " + keyList(table, this::keyText) + " FROM " + from(table.name()) + " AS t"
                + where(table, range) + orderByKey(table, "") + " LIMIT 1 OFFSET ?";
    }

    @Override
    public String rowsSql(TableSchema table, KeyRange range) {
        String values = table.columns().stream().map(this::columnText).collect(Collectors.joining(", "));
        return "SELECT " + keyList(table, this::keyText) + ", " + values + " FROM " + from(table.name())
                + " AS t" + where(table, range) + orderByKey(table, "") + " LIMIT ?";
    }

    @Override
    public String rowsByKeySql(TableSchema table, int keys) {
        String values = table.columns().stream().map(this::columnText).collect(Collectors.joining(", "));
        boolean single = table.key().size() == 1;
        String key = keyList(table, c -> "t." + quote(c.name()));
        String one = single ? "?" : "(" + keyList(table, c -> "?") + ")";
        return "SELECT " + keyList(table, this::keyText) + ", " + values + " FROM " + from(table.name()) + " AS t WHERE "
                + (single ? key : "(" + key + ")") + " IN (" + String.join(", ", java.util.Collections.nCopies(keys, one)) + ")";
    }

    /**
     * Qualified, so that a key column is not taken for the output column of the same name (its text form).
     *
     * @param direction {@code ""} for ascending, {@code " DESC"} for descending
     */
    private String orderByKey(TableSchema table, String direction) {
        return " ORDER BY " + keyList(table, c -> "t." + quote(c.name()) + direction);
    }

    private String where(TableSchema table, KeyRange range) {
        List<String> conditions = new ArrayList<>(2);
        if (range.lower() != null) {
            conditions.add(boundCondition(table, true));
        }
        if (range.upper() != null) {
            conditions.add(boundCondition(table, false));
        }
        return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
    }

    /** @return each key column mapped, comma-separated, in key order */
    static String keyList(TableSchema table, Function<TableSchema.Column, String> each) {
        return table.key().stream().map(each).collect(Collectors.joining(", "));
    }
}
