package dev.overlap.replicator.engine.mysql;

import com.google.common.util.concurrent.RateLimiter;
import dev.overlap.replicator.catalog.SourceTable;
import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.config.Endpoint;
import dev.overlap.replicator.copy.ConsistentSnapshot;
import dev.overlap.replicator.copy.CopyChunk;
import dev.overlap.replicator.copy.SnapshotCopier;
import dev.overlap.replicator.jdbc.Connections;
import dev.overlap.replicator.offset.SourcePosition;
import dev.overlap.replicator.sql.SqlDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;

/**
 * MySQL's and MariaDB's initial copy, as mydumper does it: under a global read lock held for a moment
 * ({@code FLUSH TABLES WITH READ LOCK}, which needs RELOAD, as Debezium's own snapshot does), every session
 * starts a transaction {@code WITH CONSISTENT SNAPSHOT} and {@code SHOW MASTER STATUS} gives the binlog
 * position they all correspond to; the lock is released before any row is read.
 *
 * <p>Each value leaves the source as the SQL literal the server itself writes for it ({@code QUOTE()},
 * binary values as {@code X'…'} hex, BIT as a number, FLOAT widened to DOUBLE so that it reads back
 * exactly), in UTC ({@code time_zone = '+00:00'}), so that zero dates, JSON, ENUM, SET and every character
 * set arrive exactly as stored; the target receives multi-row {@code INSERT}s of at most 4 MiB (and at
 * most half its {@code max_allowed_packet}).
 */
final class MySqlSnapshotCopier implements SnapshotCopier {
    private static final Set<String> INTEGER_TYPES = Set.of("TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT");
    private static final Set<String> BINARY_TYPES = Set.of("BINARY", "VARBINARY", "TINYBLOB", "BLOB", "MEDIUMBLOB", "LONGBLOB",
            "GEOMETRY", "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION",
            "GEOMCOLLECTION");
    private static final long MAX_STATEMENT_BYTES = 4L << 20;
    private static final String SESSION_SQL = "SET SESSION time_zone = '+00:00'";

    private final Endpoint source;
    private final MySqlServer server;
    private final SqlDialect targetDialect;

    /**
     * @param source the source
     * @param server the source's server
     * @param targetDialect the target's dialect (its statement size and session)
     */
    MySqlSnapshotCopier(Endpoint source, MySqlServer server, SqlDialect targetDialect) {
        this.source = source;
        this.server = server;
        this.targetDialect = targetDialect;
    }

    @Override
    public ConsistentSnapshot open(List<SourceTable> tables, int sessions) throws SQLException {
        List<Connection> opened = new ArrayList<>();
        // FLUSH TABLES WITH READ LOCK waits for the source's running statements, however long: no socket timeout
        try (Connection lock = Connections.open(source, java.time.Duration.ZERO); Statement st = lock.createStatement()) {
            for (int i = 0; i < sessions; i++) {
                Connection c = Connections.open(source);
                opened.add(c);
                try (Statement s = c.createStatement()) {
                    s.execute(SESSION_SQL);
                    if (!server.mariadb()) {
                        s.execute("SET SESSION information_schema_stats_expiry = 0"); // fresh TABLE_ROWS estimates
                    }
                }
                c.setAutoCommit(false);
            }
            st.execute("FLUSH TABLES WITH READ LOCK");
            try {
                for (Connection c : opened) {
                    try (Statement s = c.createStatement()) {
                        s.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
                    }
                }
                return new ConsistentSnapshot(List.copyOf(opened), position(st));
            } finally {
                st.execute("UNLOCK TABLES");
            }
        } catch (SQLException | RuntimeException e) {
            for (Connection c : opened) {
                ConsistentSnapshot.closeQuietly(c);
            }
            throw e;
        }
    }

    /**
     * The binlog position under the lock, with the GTID set the connector positions by when the server has
     * GTIDs: MySQL's {@code Executed_Gtid_Set} (empty with {@code gtid_mode} off), MariaDB's
     * {@code gtid_binlog_pos} (MariaDB always has GTIDs).
     */
    private SourcePosition position(Statement st) throws SQLException {
        String file;
        long pos;
        String gtids;
        try (ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
            if (!rs.next()) {
                throw new SQLException("SHOW MASTER STATUS returned no row: the binlog is off", "55000");
            }
            file = rs.getString("File");
            pos = rs.getLong("Position");
            gtids = server.mariadb() ? null : rs.getString("Executed_Gtid_Set");
        }
        if (server.mariadb()) {
            gtids = Connections.single(st.getConnection(), "SELECT @@GLOBAL.gtid_binlog_pos");
        }
        return new SourcePosition.BinlogPosition(file, pos, gtids == null || gtids.isBlank() ? null : gtids.replace("\n", ""), false);
    }

    /** {@code information_schema.TABLES.TABLE_ROWS}: InnoDB's estimate. */
    @Override
    public long estimateRows(Connection c, TableId table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(TABLE_ROWS, 0) FROM information_schema.TABLES"
                + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    @Override
    public long copy(Connection from, Connection to, CopyChunk chunk, RateLimiter limit, LongConsumer copied)
            throws SQLException, InterruptedException {
        String select = "SELECT " + chunk.columns().stream().map(c -> literal(c, chunk.target().column(c).typeName()))
                .collect(Collectors.joining(", ")) + " FROM " + targetDialect.table(chunk.table()) + chunk.where(targetDialect);
        String insert = "INSERT INTO " + targetDialect.table(chunk.table()) + " ("
                + chunk.columns().stream().map(targetDialect::quote).collect(Collectors.joining(", ")) + ") VALUES ";
        long maxBytes = Math.min(MAX_STATEMENT_BYTES, targetDialect.maxStatementBytes());
        int width = chunk.columns().size();
        long rows = 0;
        try (Statement read = from.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
             Statement write = to.createStatement()) {
            // MySQL Connector/J streams a result row by row only at this fetch size; MariaDB Connector/J fetches in batches
            read.setFetchSize(from.getMetaData().getDriverName().startsWith("MySQL") ? Integer.MIN_VALUE : 1000);
            write.setEscapeProcessing(false);
            StringBuilder sql = new StringBuilder(insert);
            StringBuilder row = new StringBuilder();
            int pending = 0;
            try (ResultSet rs = read.executeQuery(select)) {
                while (rs.next()) {
                    row.setLength(0);
                    row.append('(');
                    for (int i = 1; i <= width; i++) {
                        String value = rs.getString(i);
                        if (value == null) {
                            throw new SQLException("a value of " + chunk.table() + "." + chunk.columns().get(i - 1)
                                    + " is larger than the source's max_allowed_packet allows a copy to read; raise"
                                    + " max_allowed_packet on the source", "22001", 1301);
                        }
                        row.append(i == 1 ? "" : ",").append(value);
                    }
                    row.append(')');
                    // the rows so far go first when this one would carry the statement past its size
                    if (pending > 0 && sql.length() + 1 + row.length() > maxBytes) {
                        write.execute(sql.toString());
                        sql.setLength(insert.length());
                        pending = 0;
                        copied.accept(rows);
                    }
                    sql.append(pending == 0 ? "" : ",").append(row);
                    pending++;
                    rows++;
                    if (limit != null) {
                        limit.acquire();
                    }
                    if ((rows & 0x3FF) == 0 && Thread.interrupted()) {
                        throw new InterruptedException();
                    }
                }
            }
            if (pending > 0) {
                write.execute(sql.toString());
            }
        }
        return rows;
    }

    /**
     * @param column a column name
     * @param typeName its JDBC type name on the target, e.g. {@code BIGINT UNSIGNED}, {@code BLOB}
     * @return an expression giving the column's value as an SQL literal, {@code NULL} included
     */
    private String literal(String column, String typeName) {
        String c = targetDialect.quote(column);
        String type = typeName.toUpperCase(Locale.ROOT).replace(" UNSIGNED", "").replace(" ZEROFILL", "");
        if (BINARY_TYPES.contains(type)) {
            return "IF(" + c + " IS NULL, 'NULL', CONCAT('X''', HEX(" + c + "), ''''))";
        }
        if (type.equals("BIT")) {
            return "IF(" + c + " IS NULL, 'NULL', CAST(" + c + " + 0 AS CHAR))";
        }
        if (type.equals("FLOAT")) {
            return "QUOTE(CAST(" + c + " AS DOUBLE))";
        }
        return "QUOTE(CONVERT(" + c + " USING utf8mb4))";
    }

    @Override
    public String targetSessionSql() {
        return targetDialect.applySessionSql();
    }

    @Override
    public boolean integerType(String typeName) {
        return INTEGER_TYPES.contains(typeName.toUpperCase(Locale.ROOT).replace(" UNSIGNED", "").replace(" ZEROFILL", ""));
    }
}
