package dev.overlap.checksum;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One table on one side (source or target), read through one connection with its dialect's SQL.
 * Not thread-safe: one per connection and thread.
 */
final class TableSide {
    private final Connection connection;
    private final ChecksumDialect dialect;
    private final TableSchema table;

    /**
     * @param connection a connection prepared with {@link ChecksumDialect#prepareSession}
     * @param dialect the side's dialect
     * @param table the table as described on this side, columns in the source's order
     */
    TableSide(Connection connection, ChecksumDialect dialect, TableSchema table) {
        this.connection = connection;
        this.dialect = dialect;
        this.table = table;
    }

    Connection connection() {
        return connection;
    }

    long count() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(dialect.countSql(table)); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    ChunkDigest digest(KeyRange range) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(dialect.digestSql(table, range))) {
            bind(ps, range);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new ChunkDigest(rs.getLong(1), rs.getBigDecimal(2).toBigIntegerExact());
            }
        }
    }

    /**
     * @param offset rows to skip from the start of the range, {@code >= 0}
     * @return the key of the row {@code offset} rows into the range, or empty when the range has fewer rows
     */
    Optional<Key> keyAt(KeyRange range, long offset) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(dialect.keyAtSql(table, range))) {
            int next = bind(ps, range);
            ps.setLong(next, offset);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(key(rs)) : Optional.empty();
            }
        }
    }

    /** @return the table's greatest key, or empty when the table is empty */
    Optional<Key> lastKey() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(dialect.lastKeySql(table)); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(key(rs)) : Optional.empty();
        }
    }

    /**
     * @param limit most rows to fetch; callers keep it small, the rows are held in memory
     * @return the first {@code limit} rows of the range in key order
     */
    List<Row> rows(KeyRange range, int limit) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(dialect.rowsSql(table, range))) {
            int next = bind(ps, range);
            ps.setInt(next, limit);
            return rows(ps);
        }
    }

    /**
     * @param keys the keys, each its key columns' values in key order
     * @param binder binds one key value with its own type
     * @return the rows of those keys that exist on this side, in no particular order
     */
    List<Row> rows(List<List<Object>> keys, ChangedRowComparer.KeyBinder binder) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(dialect.rowsByKeySql(table, keys.size()))) {
            int index = 1;
            for (List<Object> key : keys) {
                for (int column = 0; column < key.size(); column++) {
                    binder.bind(ps, index++, column, key.get(column));
                }
            }
            return rows(ps);
        }
    }

    private List<Row> rows(PreparedStatement ps) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            int keys = table.key().size();
            while (rs.next()) {
                List<String> values = new ArrayList<>(table.columns().size());
                for (int i = 1; i <= table.columns().size(); i++) {
                    values.add(rs.getString(keys + i));
                }
                rows.add(new Row(key(rs), values));
            }
        }
        return rows;
    }

    private Key key(ResultSet rs) throws SQLException {
        List<String> values = new ArrayList<>(table.key().size());
        for (int i = 1; i <= table.key().size(); i++) {
            values.add(rs.getString(i));
        }
        return new Key(values);
    }

    /** @return the index of the next parameter after the bounds */
    private int bind(PreparedStatement ps, KeyRange range) throws SQLException {
        int index = 1;
        for (Key bound : new Key[] {range.lower(), range.upper()}) {
            if (bound != null) {
                for (String value : dialect.boundValues(bound)) {
                    ps.setString(index++, value);
                }
            }
        }
        return index;
    }
}
