package dev.overlap.replicator.engine.mysql;

import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.catalog.TargetColumn;
import dev.overlap.replicator.sql.SqlDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MySQL 8.0 and MariaDB: multi-row {@code INSERT … ON DUPLICATE KEY UPDATE} upserts, with MySQL's row
 * alias ({@code VALUES (…) AS new ON DUPLICATE KEY UPDATE c = new.c}, MySQL 8.0.19 and later) or the
 * {@code VALUES(c)} function (MariaDB, where it is not deprecated, and older MySQL).
 *
 * <p>Tables are named without their database: every connection's default database is the one in its
 * JDBC URL, so a source database {@code shop} may be replicated into a target database of another
 * name. A table without a primary key is matched on the whole before-image with the NULL-safe
 * {@code <=>} and changed with {@code LIMIT 1}, so one of several identical rows is changed, never all.
 *
 * <p>The apply session ({@link #applySessionSql()}) runs with {@code foreign_key_checks = 0} (the
 * source already checked them, and batches apply per table, not in the source's statement order),
 * {@code time_zone = '+00:00'} (TIMESTAMP values arrive in UTC), and an {@code sql_mode} that is strict
 * but allows what the source may hold: zero dates and an explicit 0 in an AUTO_INCREMENT column
 * ({@code NO_AUTO_VALUE_ON_ZERO}). MySQL cannot disable triggers for a session: triggers on the target
 * fire for replicated rows, so drop or disable them on the target until promote.
 */
final class MySqlDialect implements SqlDialect {
    /** MariaDB's default {@code max_allowed_packet} (MySQL 8.0's is 64 MiB), bytes. */
    private static final long DEFAULT_MAX_ALLOWED_PACKET = 16L << 20;

    private static final Pattern KEY_NAME = Pattern.compile("for key '([^']*)'");
    private static final Pattern COLUMN_NAME = Pattern.compile("column '([^']*)'", Pattern.CASE_INSENSITIVE);

    private final boolean rowAlias;
    private final long maxAllowedPacket;

    /**
     * @param rowAlias whether the server supports the row alias in {@code INSERT … AS new} (MySQL 8.0.19+);
     *        otherwise {@code VALUES(column)} is used (MariaDB)
     * @param maxAllowedPacket the target's {@code max_allowed_packet}, bytes: no statement may be longer
     */
    public MySqlDialect(boolean rowAlias, long maxAllowedPacket) {
        this.rowAlias = rowAlias;
        this.maxAllowedPacket = maxAllowedPacket;
    }

    /**
     * For statements on a server whose {@code max_allowed_packet} is not known (Overlap's own tables), as
     * MariaDB's default of 16 MiB.
     *
     * @param rowAlias as for {@link #MySqlDialect(boolean, long)}
     */
    public MySqlDialect(boolean rowAlias) {
        this(rowAlias, DEFAULT_MAX_ALLOWED_PACKET);
    }

    /** @return half the target's {@code max_allowed_packet}: the estimate of a row's bytes is rough */
    @Override
    public long maxStatementBytes() {
        return maxAllowedPacket / 2;
    }

    /** @return whether upserts use the MySQL 8.0.19+ row alias */
    public boolean rowAlias() {
        return rowAlias;
    }

    @Override
    public int maxParameters() {
        return 65_535;
    }

    @Override
    public String applySessionSql() {
        return "SET SESSION foreign_key_checks = 0, time_zone = '+00:00',"
                + " sql_mode = 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'";
    }

    /** A named lock ({@code GET_LOCK}); names are server-wide, so it names the target database too. */
    @Override
    public boolean tryDaemonLock(Connection connection, String pipeline) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT GET_LOCK(?, 0)")) {
            ps.setString(1, daemonLockName(connection, pipeline));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getInt(1) == 1;
            }
        }
    }

    /** From {@code IS_USED_LOCK}, which gives the holder's connection id, and the process list. */
    @Override
    public DaemonLockHolder daemonLockHolder(Connection connection, String pipeline) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT ID, HOST, TIME FROM information_schema.PROCESSLIST WHERE ID = IS_USED_LOCK(?)")) {
            ps.setString(1, daemonLockName(connection, pipeline));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new DaemonLockHolder(rs.getLong(1), rs.getString(2), rs.getLong(3)) : null;
            }
        }
    }

    @Override
    public long sessionId(Connection connection) throws SQLException {
        return Long.parseLong(dev.overlap.replicator.jdbc.Connections.single(connection, "SELECT CONNECTION_ID()"));
    }

    /** @return {@code overlap.} and 40 hex digits of SHA-256 of database and pipeline: within the 64 characters allowed */
    private static String daemonLockName(Connection connection, String pipeline) throws SQLException {
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest((connection.getCatalog() + "." + pipeline).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "overlap." + java.util.HexFormat.of().formatHex(hash).substring(0, 40);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** The session turns foreign-key checks on around the writes to a table whose deletes cascade. */
    @Override
    public String foreignKeyChecks(boolean on) {
        return "SET SESSION foreign_key_checks = " + (on ? 1 : 0);
    }

    @Override
    public String timestampType() {
        return "DATETIME(6)";
    }

    /**
     * From the identifiers the messages quote after {@code for key} and {@code column} (MySQL manual,
     * "Server Error Message Reference": 1062, 1048, 1264, 1406); the values they also quote are left alone.
     */
    /** The statement as the source ran it: the target's connection is in the target's database. */
    @Override
    public List<String> schemaChangeSql(String ddl, String defaultSchema) {
        return List.of(ddl);
    }

    /**
     * Error 1050 table exists, 1051 unknown table, 1054 unknown column, 1060 duplicate column, 1061 duplicate key
     * name, 1091 cannot drop (no such column or key), 1146 no such table, 1826 duplicate foreign key, 3822
     * duplicate check constraint (MySQL and MariaDB "Server Error Message Reference").
     */
    @Override
    public boolean alreadyApplied(SQLException e) {
        return switch (e.getErrorCode()) {
            case 1050, 1051, 1054, 1060, 1061, 1091, 1146, 1826, 3822 -> true;
            default -> false;
        };
    }

    /** The table of the same name in the target connection's database. */
    @Override
    public TableId targetTable(Connection target, TableId source) throws SQLException {
        return new TableId(target.getCatalog(), source.table());
    }

    /** A parent of a foreign key whose ON DELETE or ON UPDATE is CASCADE or SET NULL (InnoDB does not binlog their effects). */
    @Override
    public boolean cascades(Connection target, TableId table) throws SQLException {
        try (PreparedStatement ps = target.prepareStatement("SELECT 1 FROM information_schema.REFERENTIAL_CONSTRAINTS"
                + " WHERE CONSTRAINT_SCHEMA = ? AND REFERENCED_TABLE_NAME = ? AND (DELETE_RULE <> 'RESTRICT' AND DELETE_RULE <> 'NO ACTION'"
                + " OR UPDATE_RULE <> 'RESTRICT' AND UPDATE_RULE <> 'NO ACTION') LIMIT 1")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Override
    public ErrorNames errorNames(SQLException e) {
        String message = String.valueOf(e.getMessage());
        return new ErrorNames(group(KEY_NAME, message), group(COLUMN_NAME, message));
    }

    private static String group(Pattern pattern, String message) {
        Matcher m = pattern.matcher(message);
        return m.find() ? m.group(1) : null;
    }

    @Override
    public String quote(String identifier) {
        return '`' + identifier.replace("`", "``") + '`';
    }

    /** @return the table's quoted name without its database (the connection's default database) */
    @Override
    public String table(TableId id) {
        return quote(id.table());
    }

    /**
     * {@code INSERT … ON DUPLICATE KEY UPDATE} whose first assignment is a guard: MySQL and MariaDB match a
     * duplicate on any unique index, so a row whose key is new but whose other unique value another row
     * holds would silently update that other row. The guard sets the first key column to NULL for such a
     * match, which the strict {@code sql_mode} of the apply session refuses (error 1048, column cannot be
     * null; key columns are NOT NULL), so the batch fails instead of losing the row. Assignments run left to
     * right (MySQL manual, "INSERT … ON DUPLICATE KEY UPDATE"), so the guard sees the old row.
     */
    @Override
    public String upsert(String table, List<String> columns, List<String> keyColumns, List<String> setColumns, int rows) {
        StringBuilder sql = new StringBuilder(insert(table, columns, rows));
        if (rowAlias) {
            sql.append(" AS overlap_new");
        }
        // the existing row's columns are named with the table: with the row alias a bare name is ambiguous
        StringJoiner sameKey = new StringJoiner(" AND ");
        for (String column : keyColumns) {
            sameKey.add(table + "." + quote(column) + " <=> " + newValue(column));
        }
        String first = quote(keyColumns.get(0));
        StringJoiner set = new StringJoiner(", ");
        set.add(first + " = IF(" + sameKey + ", " + table + "." + first + ", NULL)");
        for (String column : setColumns) {
            set.add(quote(column) + " = " + newValue(column));
        }
        return sql.append(" ON DUPLICATE KEY UPDATE ").append(set).toString();
    }

    /** @return the value the inserted row brings for a column, in an ON DUPLICATE KEY UPDATE clause */
    private String newValue(String column) {
        return rowAlias ? "overlap_new." + quote(column) : "VALUES(" + quote(column) + ")";
    }

    @Override
    public String updateOneRow(String table, List<String> set, List<TargetColumn> where) {
        StringJoiner assignments = new StringJoiner(", ");
        set.forEach(c -> assignments.add(quote(c) + " = ?"));
        return "UPDATE " + table + " SET " + assignments + " WHERE " + match(where) + " LIMIT 1";
    }

    @Override
    public String deleteOneRow(String table, List<TargetColumn> where) {
        return "DELETE FROM " + table + " WHERE " + match(where) + " LIMIT 1";
    }

    private String match(List<TargetColumn> where) {
        StringJoiner match = new StringJoiner(" AND ");
        for (TargetColumn column : where) {
            // MySQL's JSON type compares with JSON values only; MariaDB's JSON is LONGTEXT
            boolean json = rowAlias && "JSON".equalsIgnoreCase(column.typeName());
            match.add(quote(column.name()) + (json ? " <=> CAST(? AS JSON)" : " <=> ?"));
        }
        return match.toString();
    }

    @Override
    public void bind(PreparedStatement statement, int index, Object value, TargetColumn column) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.NULL);
        } else if (value instanceof byte[] bytes) {
            statement.setBytes(index, bytes);
        } else if (value instanceof OffsetDateTime timestamp) {
            statement.setObject(index, timestamp.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime());
        } else {
            statement.setObject(index, value);
        }
    }
}
