package dev.overlap.replicator.demo;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * Compares tables between two MySQL or MariaDB databases row by row, with bounded memory: the row
 * counts first, then both sides' rows streamed in primary-key order and compared pairwise (text of
 * each column; binary columns by their bytes). The demo's check on MySQL/MariaDB, where
 * {@code overlap verify}'s chunked hashes do not run yet.
 */
public final class RowComparison {
    private static final int FETCH_SIZE = 1000;

    /**
     * One table's result.
     *
     * @param table the table name
     * @param sourceRows rows on the source
     * @param targetRows rows on the target
     * @param differentRows rows missing on one side or with other values (counted while streaming)
     * @param firstDifference the key of the first difference, or {@code null}
     */
    public record TableResult(String table, long sourceRows, long targetRows, long differentRows, String firstDifference) {
        /** @return whether both sides hold the same rows */
        public boolean equal() {
            return sourceRows == targetRows && differentRows == 0;
        }
    }

    private RowComparison() {
    }

    /**
     * @param source a connection to the source database (its default database holds the tables)
     * @param target a connection to the target database
     * @param tables table names, each with a primary key
     * @return one result per table, in order
     * @throws SQLException when a query fails
     */
    public static List<TableResult> compare(Connection source, Connection target, List<String> tables) throws SQLException {
        List<TableResult> results = new ArrayList<>();
        for (String table : tables) {
            results.add(compare(source, target, table));
        }
        return results;
    }

    private static TableResult compare(Connection source, Connection target, String table) throws SQLException {
        long sourceRows = count(source, table);
        long targetRows = count(target, table);
        List<String> key = primaryKey(source, table);
        StringJoiner orderBy = new StringJoiner(", ");
        key.forEach(c -> orderBy.add(quote(c)));
        String select = "SELECT * FROM " + quote(table) + " ORDER BY " + orderBy;
        long different = 0;
        String first = null;
        try (Statement s = streaming(source); Statement t = streaming(target);
             ResultSet left = s.executeQuery(select); ResultSet right = t.executeQuery(select)) {
            int[] keys = keyPositions(key, left.getMetaData());
            boolean hasLeft = left.next();
            boolean hasRight = right.next();
            while (hasLeft || hasRight) {
                Object[] a = hasLeft ? row(left) : null;
                Object[] b = hasRight ? row(right) : null;
                int order = a == null ? 1 : b == null ? -1 : compareKeys(a, b, keys);
                if (order == 0 && Arrays.deepEquals(a, b)) {
                    hasLeft = left.next();
                    hasRight = right.next();
                    continue;
                }
                different++;
                if (first == null) {
                    first = (order < 0 ? "missing on target " : order > 0 ? "extra on target " : "different ")
                            + key(order <= 0 ? a : b, keys);
                }
                if (order <= 0) {
                    hasLeft = left.next();
                }
                if (order >= 0) {
                    hasRight = right.next();
                }
            }
        }
        return new TableResult(table, sourceRows, targetRows, different, first);
    }

    /** A forward-only statement that streams: MySQL Connector/J only with fetch size MIN_VALUE, MariaDB's with any. */
    private static Statement streaming(Connection connection) throws SQLException {
        Statement st = connection.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
        boolean connectorJ = connection.getMetaData().getDriverName().startsWith("MySQL");
        st.setFetchSize(connectorJ ? Integer.MIN_VALUE : FETCH_SIZE);
        return st;
    }

    private static long count(Connection connection, String table) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + quote(table))) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> primaryKey(Connection connection, String table) throws SQLException {
        List<String> key = new ArrayList<>();
        DatabaseMetaData meta = connection.getMetaData();
        List<String[]> columns = new ArrayList<>();
        try (ResultSet rs = meta.getPrimaryKeys(connection.getCatalog(), null, table)) {
            while (rs.next()) {
                columns.add(new String[] {rs.getString("COLUMN_NAME"), rs.getString("KEY_SEQ")});
            }
        }
        columns.sort((x, y) -> Integer.compare(Integer.parseInt(x[1]), Integer.parseInt(y[1])));
        columns.forEach(c -> key.add(c[0]));
        if (key.isEmpty()) {
            throw new SQLException("table " + table + " has no primary key; the row-by-row comparison needs one");
        }
        return key;
    }

    private static int[] keyPositions(List<String> key, ResultSetMetaData meta) throws SQLException {
        int[] positions = new int[key.size()];
        for (int k = 0; k < key.size(); k++) {
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                if (meta.getColumnName(i).equalsIgnoreCase(key.get(k))) {
                    positions[k] = i - 1;
                }
            }
        }
        return positions;
    }

    /** @return the row's values: text, or bytes for binary columns; numeric keys as numbers for ordering */
    private static Object[] row(ResultSet rs) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        Object[] row = new Object[meta.getColumnCount()];
        for (int i = 1; i <= row.length; i++) {
            row[i - 1] = switch (meta.getColumnType(i)) {
                case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB, Types.BIT -> rs.getBytes(i);
                case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT -> {
                    long value = rs.getLong(i);
                    yield rs.wasNull() ? null : value;
                }
                default -> rs.getString(i);
            };
        }
        return row;
    }

    /** Orders keys as the servers did: numbers numerically, other values by their text (the demo's keys are numbers). */
    private static int compareKeys(Object[] a, Object[] b, int[] keys) {
        for (int k : keys) {
            int order;
            if (a[k] instanceof Long x && b[k] instanceof Long y) {
                order = Long.compare(x, y);
            } else {
                order = Objects.toString(a[k], "").compareTo(Objects.toString(b[k], ""));
            }
            if (order != 0) {
                return order;
            }
        }
        return 0;
    }

    private static String key(Object[] row, int[] keys) {
        StringJoiner key = new StringJoiner(", ", "(", ")");
        for (int k : keys) {
            key.add(String.valueOf(row[k]));
        }
        return key.toString();
    }

    private static String quote(String identifier) {
        return '`' + identifier.replace("`", "``") + '`';
    }
}
