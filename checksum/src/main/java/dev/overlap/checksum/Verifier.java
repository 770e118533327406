package dev.overlap.checksum;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares tables between two PostgreSQL databases by row count and the sum of a 64-bit hash of each
 * row's text form, both computed inside each database so that no row crosses the network.
 *
 * <p>The hash of a row is the first 64 bits of the MD5 of its {@code record::text} form, read as a
 * signed bigint and summed as numeric: equal rows give equal sums whatever their order, and a single
 * changed, missing or extra row changes the sum except with probability about 2^-64.
 */
public final class Verifier {

    /**
     * @param source connection to the source
     * @param target connection to the target
     * @param tables tables as {@code {schema, table}} pairs
     * @return one result per table, in the given order
     * @throws SQLException when a table cannot be read on either side
     */
    public List<TableResult> compare(Connection source, Connection target, List<String[]> tables) throws SQLException {
        List<TableResult> results = new ArrayList<>(tables.size());
        for (String[] table : tables) {
            results.add(new TableResult(table[0] + "." + table[1], digest(source, table), digest(target, table)));
        }
        return results;
    }

    /**
     * @param connection a PostgreSQL connection
     * @param table {@code {schema, table}}
     * @return the table's digest on that side
     * @throws SQLException when the table cannot be read
     */
    public TableDigest digest(Connection connection, String[] table) throws SQLException {
        String name = quote(table[0]) + "." + quote(table[1]);
        String sql = "SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 16))::bit(64)::bigint::numeric), 0)"
                + " FROM " + name + " AS t";
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            BigDecimal sum = rs.getBigDecimal(2);
            return new TableDigest(rs.getLong(1), sum.toBigIntegerExact());
        }
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
