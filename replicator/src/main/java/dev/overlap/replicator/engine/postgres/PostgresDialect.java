package dev.overlap.replicator.engine.postgres;

import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.catalog.TargetColumn;
import dev.overlap.replicator.sql.SqlDialect;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Types;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * PostgreSQL: {@code INSERT … ON CONFLICT … DO UPDATE} upserts, applied with
 * {@code session_replication_role = replica} so that, as in PostgreSQL's own logical replication
 * apply worker, the target's triggers and foreign-key checks do not fire for replicated rows.
 *
 * <p>Values are bound as the driver's native types where Java has one; strings go as untyped
 * parameters (the pool sets {@code stringtype=unspecified}) so that PostgreSQL casts them to the
 * column type (uuid, json, jsonb, enum, interval, …). Arrays are sent as array literals (PostgreSQL
 * manual, "Arrays: Array Value Input").
 */
final class PostgresDialect implements SqlDialect {
    private static final Pattern CONCURRENTLY = Pattern.compile(
            "(?is)^(\\s*(?:CREATE\\s+(?:UNIQUE\\s+)?INDEX|DROP\\s+INDEX|REINDEX\\s+(?:\\(.*?\\)\\s*)?\\w+))\\s+CONCURRENTLY\\b");
    private static final Set<String> ALREADY_APPLIED = Set.of("42P07", "42701", "42710", "42P01", "42703", "42704");

    /** Types without an equality operator: matched by their text form. */
    private static final Set<String> COMPARE_AS_TEXT = Set.of("json", "xml", "point", "line", "lseg", "box",
            "path", "polygon", "circle");

    @Override
    public int maxParameters() {
        return 32_767;
    }

    @Override
    public String applySessionSql() {
        return "SET session_replication_role = replica";
    }

    /** A session-level advisory lock in the target database, keyed by {@link #daemonLockKey}. */
    @Override
    public boolean tryDaemonLock(Connection connection, String pipeline) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            ps.setLong(1, daemonLockKey(pipeline));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /**
     * From {@code pg_locks}: a bigint advisory lock shows its high 32 bits as {@code classid}, its low ones as
     * {@code objid}, with {@code objsubid = 1} (PostgreSQL manual, "pg_locks").
     */
    @Override
    public DaemonLockHolder daemonLockHolder(Connection connection, String pipeline) throws SQLException {
        long key = daemonLockKey(pipeline);
        try (PreparedStatement ps = connection.prepareStatement("""
                SELECT a.pid, coalesce(host(a.client_addr), 'a local socket'), extract(epoch FROM now() - a.backend_start)::bigint
                FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
                  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND l.classid::bigint = ? AND l.objid::bigint = ?""")) {
            ps.setLong(1, key >>> 32);
            ps.setLong(2, key & 0xffff_ffffL);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new DaemonLockHolder(rs.getLong(1), rs.getString(2), rs.getLong(3)) : null;
            }
        }
    }

    @Override
    public long sessionId(Connection connection) throws SQLException {
        return Long.parseLong(dev.overlap.replicator.jdbc.Connections.single(connection, "SELECT pg_backend_pid()"));
    }

    /** @return the first 8 bytes of SHA-256 of {@code overlap.<pipeline>}: the pipeline's advisory lock key */
    private static long daemonLockKey(String pipeline) {
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(("overlap." + pipeline).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.nio.ByteBuffer.wrap(hash).getLong();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** From the error's fields ({@link ServerErrorMessage#getConstraint()}, {@link ServerErrorMessage#getColumn()}). */
    @Override
    public ErrorNames errorNames(SQLException e) {
        ServerErrorMessage fields = e instanceof PSQLException p ? p.getServerErrorMessage() : null;
        return fields == null ? new ErrorNames(null, null) : new ErrorNames(fields.getConstraint(), fields.getColumn());
    }

    /**
     * The statement after {@code SET LOCAL search_path} to the source's; an index built or dropped
     * {@code CONCURRENTLY} on the source is built or dropped in the apply's transaction (CONCURRENTLY cannot
     * run in one, and only the apply writes to the target during the overlap).
     */
    @Override
    public List<String> schemaChangeSql(String ddl, String defaultSchema) {
        return List.of("SELECT set_config('search_path', '" + defaultSchema.replace("'", "''") + "', true)",
                CONCURRENTLY.matcher(ddl).replaceFirst("$1"));
    }

    /**
     * SQLSTATE 42P07 duplicate_table, 42701 duplicate_column, 42710 duplicate_object, 42P01 undefined_table,
     * 42703 undefined_column, 42704 undefined_object (PostgreSQL, Appendix A "Error Codes").
     */
    @Override
    public boolean alreadyApplied(SQLException e) {
        return ALREADY_APPLIED.contains(e.getSQLState());
    }

    @Override
    public boolean partition(Connection target, TableId table) throws SQLException {
        try (PreparedStatement ps = target.prepareStatement("SELECT relispartition FROM pg_class WHERE oid = to_regclass(?)")) {
            ps.setString(1, table(table));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    @Override
    public String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** A multi-row insert that keeps the source's values of {@code GENERATED ALWAYS AS IDENTITY} columns. */
    @Override
    public String insert(String table, List<String> columns, int rows) {
        return "INSERT INTO " + table + " " + columnList(columns) + " OVERRIDING SYSTEM VALUE VALUES "
                + SqlDialect.valueRows(columns.size(), rows);
    }

    @Override
    public String upsert(String table, List<String> columns, List<String> keyColumns, List<String> setColumns, int rows) {
        StringBuilder sql = new StringBuilder(insert(table, columns, rows));
        sql.append(" ON CONFLICT ").append(columnList(keyColumns));
        StringJoiner set = new StringJoiner(", ");
        for (String column : setColumns) {
            set.add(quote(column) + " = EXCLUDED." + quote(column));
        }
        sql.append(set.length() == 0 ? " DO NOTHING" : " DO UPDATE SET " + set);
        return sql.toString();
    }

    @Override
    public String updateOneRow(String table, List<String> set, List<TargetColumn> where) {
        StringJoiner assignments = new StringJoiner(", ");
        set.forEach(c -> assignments.add(quote(c) + " = ?"));
        return "UPDATE " + table + " SET " + assignments + " WHERE ctid = (" + selectOneCtid(table, where) + ")";
    }

    @Override
    public String deleteOneRow(String table, List<TargetColumn> where) {
        return "DELETE FROM " + table + " WHERE ctid = (" + selectOneCtid(table, where) + ")";
    }

    private String selectOneCtid(String table, List<TargetColumn> where) {
        StringJoiner match = new StringJoiner(" AND ");
        for (TargetColumn column : where) {
            boolean asText = COMPARE_AS_TEXT.contains(column.typeName());
            match.add(asText ? quote(column.name()) + "::text IS NOT DISTINCT FROM ?::text"
                    : quote(column.name()) + " IS NOT DISTINCT FROM ?");
        }
        return "SELECT ctid FROM " + table + " WHERE " + match + " LIMIT 1 FOR UPDATE";
    }

    @Override
    public void bind(PreparedStatement statement, int index, Object value, TargetColumn column) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.NULL);
        } else if (value instanceof byte[] bytes) {
            statement.setBytes(index, bytes);
        } else if (value instanceof List<?> list) {
            statement.setObject(index, arrayLiteral(list), Types.OTHER);
        } else {
            statement.setObject(index, value);
        }
    }

    /**
     * {@code COPY … FROM STDIN} in text format (PostgreSQL manual, "COPY: Text Format") under a savepoint: a
     * key the target already holds (SQLState 23505) rolls back to it and returns -1. Values of the kinds the
     * change stream delivers are written in PostgreSQL's input syntax; a date or timestamp outside years
     * 1…9999 (BC, infinity) or a value of another kind returns -1 before anything is sent.
     */
    @Override
    public long bulkInsert(Connection connection, String table, List<String> columns, List<List<Object>> rows) throws SQLException {
        StringBuilder text = new StringBuilder(rows.size() * 16 * columns.size());
        for (List<Object> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                if (i > 0) {
                    text.append('\t');
                }
                if (!CopyText.append(text, row.get(i))) {
                    return -1;
                }
            }
            text.append('\n');
        }
        String sql = "COPY " + table + " (" + columns.stream().map(this::quote).collect(Collectors.joining(", ")) + ") FROM STDIN";
        Savepoint savepoint = connection.setSavepoint();
        try {
            long copied = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql, new StringReader(text.toString()));
            connection.releaseSavepoint(savepoint);
            return copied;
        } catch (SQLException e) {
            if (!"23505".equals(e.getSQLState())) {
                throw e;
            }
            connection.rollback(savepoint);
            return -1;
        } catch (IOException e) {
            throw new SQLException("COPY into " + table + " failed to send its rows", "08006", e);
        }
    }

    /**
     * @param items array elements as converted values
     * @return a PostgreSQL array literal such as {@code {"1","2",NULL}}; every element quoted and escaped
     */
    static String arrayLiteral(List<?> items) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            Object item = items.get(i);
            if (item == null) {
                sb.append("NULL");
                continue;
            }
            String text;
            if (item instanceof byte[] bytes) {
                text = "\\x" + HexFormat.of().formatHex(bytes);
            } else if (item instanceof BigDecimal decimal) {
                text = decimal.toPlainString();
            } else {
                text = item.toString();
            }
            sb.append('"').append(text.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return sb.append('}').toString();
    }
}
