package dev.overlap.replicator.engine.mysql;

import dev.overlap.replicator.UserError;
import dev.overlap.replicator.catalog.SourceTable;
import dev.overlap.replicator.catalog.TableCatalog;
import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.catalog.UniqueIndex;
import dev.overlap.replicator.config.Endpoint;
import dev.overlap.replicator.config.TableFilter;
import dev.overlap.replicator.heartbeat.SourceProbe;
import dev.overlap.replicator.heartbeat.SourceRetention;
import dev.overlap.replicator.jdbc.Connections;
import dev.overlap.replicator.offset.SourcePosition;
import dev.overlap.replicator.sql.SqlDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A MySQL 8.0 or MariaDB (10.11, 11.x) source: checks that it can be replicated from before anything
 * starts, and answers the binlog questions of the pipeline (is a stored position still there, how many
 * binlog bytes are not applied yet).
 *
 * <p>Checks, each a {@link UserError} naming the setting or grant and the fix: a supported server;
 * {@code log_bin} on; {@code binlog_format = ROW}; {@code binlog_row_image = FULL}; the global grants
 * Debezium's binlog connectors need (MySQL: RELOAD, REPLICATION SLAVE, REPLICATION CLIENT; MariaDB:
 * RELOAD, REPLICATION SLAVE, BINLOG MONITOR — the MySQL and MariaDB manuals, "Privileges Provided",
 * and Debezium's connector documentation, "Creating a user"); SELECT on every selected table. A table
 * without a primary key is accepted: with {@code binlog_row_image = FULL} every update and delete
 * carries the whole before-image, which the apply matches row by row.
 */
final class MySqlSource {
    private static final String TABLES_SQL = """
            SELECT t.TABLE_NAME, c.COLUMN_NAME, s.SEQ_IN_INDEX, c.IS_NULLABLE = 'YES', c.DATA_TYPE, c.COLUMN_DEFAULT
            FROM information_schema.TABLES t
            JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME
            LEFT JOIN information_schema.STATISTICS s ON s.TABLE_SCHEMA = c.TABLE_SCHEMA AND s.TABLE_NAME = c.TABLE_NAME
                 AND s.COLUMN_NAME = c.COLUMN_NAME AND s.INDEX_NAME = 'PRIMARY'
            WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE'
            ORDER BY t.TABLE_NAME, c.ORDINAL_POSITION""";

    private final Endpoint endpoint;

    /** @param endpoint the source database */
    public MySqlSource(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    /**
     * @return the server, checked to be MySQL 8.x or MariaDB 10.11 or later
     * @throws UserError for another server or version
     */
    public MySqlServer server() {
        try (Connection c = Connections.open(endpoint)) {
            MySqlServer server = MySqlServer.of(c);
            boolean supported = server.mariadb() ? server.major() > 10 || server.major() == 10 && server.minor() >= 11
                    : server.major() >= 8;
            if (!supported) {
                throw error("the server is " + server + "; Overlap replicates from MySQL 8.0 or MariaDB 10.11 and later");
            }
            return server;
        } catch (SQLException e) {
            throw Connections.explain(endpoint, e);
        }
    }

    /**
     * Checks the source's binlog settings and grants and resolves the table selection.
     *
     * @param server the source server ({@link #server()})
     * @param filter which tables to replicate; a table's schema is its database
     * @return the selected tables of the URL's database, sorted by name, without Overlap's own
     * @throws UserError naming the first problem found and its fix
     */
    public List<SourceTable> preflight(MySqlServer server, TableFilter filter) {
        try (Connection c = Connections.open(endpoint)) {
            if (!"1".equals(Connections.single(c, "SELECT @@log_bin")) && !"ON".equalsIgnoreCase(Connections.single(c, "SELECT @@log_bin"))) {
                throw error("the binary log is off (log_bin = OFF); start the server with log-bin (e.g. log-bin = binlog"
                        + " in the [mysqld] section of my.cnf) and restart it");
            }
            String format = Connections.single(c, "SELECT @@binlog_format");
            if (!"ROW".equalsIgnoreCase(format)) {
                throw error("binlog_format is '" + format + "'; run SET GLOBAL binlog_format = 'ROW' and set binlog_format = ROW"
                        + " in my.cnf (sessions opened before keep the old format)");
            }
            String image = Connections.single(c, "SELECT @@binlog_row_image");
            if (!"FULL".equalsIgnoreCase(image)) {
                throw error("binlog_row_image is '" + image + "'; run SET GLOBAL binlog_row_image = 'FULL' and set"
                        + " binlog_row_image = FULL in my.cnf");
            }
            checkGrants(c, server);
            String database = c.getCatalog();
            Map<String, List<String>> columns = new LinkedHashMap<>();
            Map<String, Map<Integer, String>> keys = new LinkedHashMap<>();
            Set<String> nullable = new java.util.HashSet<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(TABLES_SQL)) {
                while (rs.next()) {
                    String table = rs.getString(1);
                    if (table.startsWith("overlap_") || !filter.selects(database, table)) {
                        continue;
                    }
                    columns.computeIfAbsent(table, t -> new ArrayList<>()).add(rs.getString(2));
                    if (rs.getBoolean(4)) {
                        nullable.add(table + "." + rs.getString(2));
                    }
                    Map<Integer, String> key = keys.computeIfAbsent(table, t -> new java.util.TreeMap<>());
                    if (rs.getObject(3) != null) {
                        key.put(rs.getInt(3), rs.getString(2));
                    }
                }
            }
            if (columns.isEmpty()) {
                throw error("no table of database " + database + " matches tables " + filter
                        + "; check tables.include and tables.exclude (write them as " + database + ".*)");
            }
            Set<String> cascadeParents = cascadeParents(c, database, columns.keySet());
            List<SourceTable> tables = new ArrayList<>();
            for (Map.Entry<String, List<String>> table : columns.entrySet()) {
                TableId id = new TableId(database, table.getKey());
                try (Statement st = c.createStatement()) {
                    st.executeQuery("SELECT 1 FROM `" + table.getKey().replace("`", "``") + "` LIMIT 0").close();
                } catch (SQLException e) {
                    if (e.getErrorCode() == 1142) {
                        throw error("user '" + endpoint.user() + "' lacks SELECT on " + id + "; run GRANT SELECT ON `" + database
                                + "`.* TO " + grantee(c));
                    }
                    throw e;
                }
                List<UniqueIndex> unique = TableCatalog.uniqueIndexes(c, id);
                List<String> key = List.copyOf(keys.get(table.getKey()).values());
                if (key.isEmpty()) {
                    key = debeziumKey(c, id, unique.stream()
                            .filter(u -> u.exact() && u.columns().stream().noneMatch(col -> nullable.contains(id.table() + "." + col)))
                            .toList());
                }
                tables.add(new SourceTable(id, table.getValue(), key, unique, cascadeParents.contains(table.getKey())));
            }
            return tables;
        } catch (SQLException e) {
            throw Connections.explain(endpoint, e);
        }
    }

    /**
     * @param filter which tables to replicate
     * @return the DATE, DATETIME and TIMESTAMP columns of the selected tables, as the source's catalog has them now
     * @throws UserError when the source cannot be read
     */
    public Map<TableId, List<ZeroDateRepair.TemporalColumn>> temporalColumns(TableFilter filter) {
        Map<TableId, List<ZeroDateRepair.TemporalColumn>> temporal = new LinkedHashMap<>();
        try (Connection c = Connections.open(endpoint); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(TABLES_SQL)) {
            String database = c.getCatalog();
            while (rs.next()) {
                String type = rs.getString(5).toLowerCase(Locale.ROOT);
                if (filter.selects(database, rs.getString(1)) && (type.equals("date") || type.equals("datetime") || type.equals("timestamp"))) {
                    temporal.computeIfAbsent(new TableId(database, rs.getString(1)), t -> new ArrayList<>())
                            .add(new ZeroDateRepair.TemporalColumn(rs.getString(2), type, rs.getBoolean(4), unquote(rs.getString(6))));
                }
            }
            return temporal;
        } catch (SQLException e) {
            throw Connections.explain(endpoint, e);
        }
    }

    /** @return a catalog default without MariaDB's quotes ({@code '0000-00-00'} → {@code 0000-00-00}), or {@code null} */
    private static String unquote(String value) {
        return value != null && value.length() >= 2 && value.startsWith("'") && value.endsWith("'")
                ? value.substring(1, value.length() - 1) : value;
    }

    /**
     * The key Debezium's binlog connectors give a table without a primary key: the first unique index whose
     * columns are all NOT NULL, in the order of {@code SHOW CREATE TABLE}, which the connector's DDL parser
     * reads at the snapshot ({@code TableCommonParserListener.enterUniqueKeyTableConstraint} and
     * {@code MySqlAntlrDdlParser.parseUniqueIndexColumnNames}, Debezium 3.4).
     *
     * @param candidates the table's exact unique indexes over NOT NULL columns
     * @return that index's columns, or an empty list when there is none (the table is replicated by whole rows)
     */
    private static List<String> debeziumKey(Connection c, TableId id, List<UniqueIndex> candidates) throws SQLException {
        if (candidates.size() <= 1) {
            return candidates.isEmpty() ? List.of() : candidates.get(0).columns();
        }
        String ddl;
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW CREATE TABLE `" + id.table().replace("`", "``") + "`")) {
            rs.next();
            ddl = rs.getString(2);
        }
        UniqueIndex first = candidates.get(0);
        int firstAt = Integer.MAX_VALUE;
        for (UniqueIndex candidate : candidates) {
            int at = ddl.indexOf("UNIQUE KEY `" + candidate.name().replace("`", "``") + "`");
            if (at >= 0 && at < firstAt) {
                firstAt = at;
                first = candidate;
            }
        }
        return first.columns();
    }

    /**
     * InnoDB performs ON DELETE/UPDATE CASCADE and SET NULL inside the storage engine and writes only the
     * parent's change to the binlog (MySQL manual, "FOREIGN KEY Constraints": cascading actions "are not
     * written to the binary log"; a MySQL replica cascades itself), so the apply lets the target's own
     * foreign keys cascade when it deletes or re-keys such a parent's rows. A selected child whose parent is
     * not selected would keep rows the source's cascade removed: refused.
     *
     * @return the selected tables that are the parent of a cascading foreign key
     */
    private Set<String> cascadeParents(Connection c, String database, java.util.Collection<String> selected)
            throws SQLException {
        Set<String> parents = new java.util.HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT TABLE_NAME, CONSTRAINT_NAME, REFERENCED_TABLE_NAME, DELETE_RULE,"
                + " UPDATE_RULE FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?"
                + " AND (DELETE_RULE <> 'RESTRICT' AND DELETE_RULE <> 'NO ACTION' OR UPDATE_RULE <> 'RESTRICT' AND UPDATE_RULE <> 'NO ACTION')"
                + " ORDER BY 1, 2")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String child = rs.getString(1);
                    String parent = rs.getString(3);
                    if (selected.contains(child) && !selected.contains(parent)) {
                        throw error("table " + database + "." + child + " has foreign key " + rs.getString(2) + " to "
                                + parent + " with ON DELETE " + rs.getString(4) + " / ON UPDATE " + rs.getString(5)
                                + ", but " + parent + " is not selected; the binlog does not carry cascaded changes, so select "
                                + database + "." + parent + " too (the target then cascades itself), or exclude " + child);
                    }
                    if (selected.contains(parent)) {
                        parents.add(parent);
                    }
                }
            }
        }
        return parents;
    }

    /** The global grants of the connector; a server run with --skip-grant-tables has no grants to check. */
    private void checkGrants(Connection c, MySqlServer server) throws SQLException {
        Set<String> global = new LinkedHashSet<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW GRANTS FOR CURRENT_USER()")) {
            while (rs.next()) {
                String grant = rs.getString(1);
                int on = grant.indexOf(" ON *.* TO ");
                if (grant.startsWith("GRANT ") && on > 0) {
                    for (String privilege : grant.substring("GRANT ".length(), on).split(",")) {
                        global.add(privilege.trim().toUpperCase(Locale.ROOT));
                    }
                }
            }
        } catch (SQLException e) {
            if (e.getErrorCode() == 1290) {
                return; // --skip-grant-tables: every statement is allowed
            }
            throw e;
        }
        if (global.contains("ALL PRIVILEGES")) {
            return;
        }
        List<String> needed = server.mariadb() ? List.of("RELOAD", "REPLICATION SLAVE", "BINLOG MONITOR")
                : List.of("RELOAD", "REPLICATION SLAVE", "REPLICATION CLIENT");
        for (String privilege : needed) {
            boolean has = global.contains(privilege)
                    || privilege.equals("REPLICATION SLAVE") && global.contains("REPLICATION REPLICA")
                    || privilege.equals("BINLOG MONITOR") && global.contains("REPLICATION CLIENT");
            if (!has) {
                throw error("user '" + endpoint.user() + "' lacks the " + privilege + " privilege; run GRANT "
                        + String.join(", ", needed) + " ON *.* TO " + grantee(c));
            }
        }
    }

    /**
     * Creates the heartbeat table in the URL's database.
     *
     * @param dialect the source's dialect
     * @return the heartbeat table
     * @throws UserError when it cannot be created, naming the grant to give
     */
    public TableId prepareHeartbeat(SqlDialect dialect) {
        try (Connection c = Connections.open(endpoint)) {
            try {
                return SourceProbe.createTable(c, c.getCatalog(), dialect);
            } catch (SQLException e) {
                throw error("cannot create the heartbeat table " + c.getCatalog() + "." + SourceProbe.TABLE + " (" + e.getMessage()
                        + "); run GRANT CREATE, INSERT, UPDATE ON `" + c.getCatalog() + "`." + SourceProbe.TABLE + " TO " + grantee(c));
            }
        } catch (SQLException e) {
            throw Connections.explain(endpoint, e);
        }
    }

    /**
     * Whether the source still holds the binlog a stored offset points into, so that streaming can
     * resume there: the binlog file is listed by SHOW BINARY LOGS and, on MySQL with GTIDs, no GTID
     * the offset lacks has been purged ({@code GTID_SUBSET(@@gtid_purged, offset gtids)}).
     *
     * @param server the source server
     * @param offset the stored position
     * @return {@code null} when the position is available, else what is missing
     * @throws UserError when the source cannot be read
     */
    public String missingPosition(MySqlServer server, SourcePosition offset) {
        if (!(offset instanceof SourcePosition.BinlogPosition position)) {
            return null;
        }
        try (Connection c = Connections.open(endpoint)) {
            if (!binaryLogs(c).containsKey(position.file())) {
                return "binlog file " + position.file() + " (purged from the source)";
            }
            if (!server.mariadb() && position.gtids() != null) {
                try (PreparedStatement ps = c.prepareStatement("SELECT GTID_SUBSET(@@GLOBAL.gtid_purged, ?)")) {
                    ps.setString(1, position.gtids());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next() && rs.getInt(1) == 0) {
                            return "transactions after GTID set " + position.gtids() + " (purged from the source)";
                        }
                    }
                }
            }
            return null;
        } catch (SQLException e) {
            throw Connections.explain(endpoint, e);
        }
    }

    /**
     * Backlog: the binlog bytes between the applied file/position and the end of the newest binlog, from SHOW BINARY
     * LOGS (file sizes), which is also what the source must keep for the pipeline. Headroom: the server removes a
     * binlog once its last write is older than {@code binlog_expire_logs_seconds}; the applied file was last written at
     * or after the applied event, which is as old as the lag, so at least {@code (expire − lag) / expire} of the window is
     * left. Lost: the applied file is no longer listed (purged). Needs REPLICATION CLIENT (MySQL) / BINLOG MONITOR
     * (MariaDB).
     *
     * @param applied the position of the last committed batch, or {@code null} before the first
     * @return the retention reader for the {@link SourceProbe}; nothing is known while no position is
     */
    static SourceProbe.RetentionProbe retention(Supplier<SourcePosition> applied) {
        return (c, lagSeconds) -> {
            if (!(applied.get() instanceof SourcePosition.BinlogPosition position)) {
                return SourceRetention.unknown();
            }
            Map<String, Long> logs = binaryLogs(c);
            long expire = Long.parseLong(Connections.single(c, "SELECT @@GLOBAL.binlog_expire_logs_seconds"));
            String limit = expire > 0 ? "binlog_expire_logs_seconds " + expire : "";
            if (!logs.containsKey(position.file())) {
                return new SourceRetention(-1, -1, 0, limit, "binlog " + position.file() + " with the applied position is"
                        + " purged (" + (limit.isEmpty() ? "PURGE BINARY LOGS" : limit) + ")", null);
            }
            long bytes = backlogBytes(logs, position.file(), position.position());
            double headroom = expire > 0 ? Math.max(0, expire - lagSeconds) / expire : -1;
            return new SourceRetention(bytes, bytes, headroom, limit, null, null);
        };
    }

    /**
     * @param logs binlog files in order with their sizes, bytes
     * @param file the applied binlog file
     * @param position the applied position in it
     * @return bytes written after that position; the whole of every listed log when the file is unknown
     */
    static long backlogBytes(Map<String, Long> logs, String file, long position) {
        long bytes = 0;
        boolean after = !logs.containsKey(file);
        for (Map.Entry<String, Long> log : logs.entrySet()) {
            if (log.getKey().equals(file)) {
                bytes += Math.max(0, log.getValue() - position);
                after = true;
            } else if (after) {
                bytes += log.getValue();
            }
        }
        return bytes;
    }

    private static Map<String, Long> binaryLogs(Connection c) throws SQLException {
        Map<String, Long> logs = new LinkedHashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW BINARY LOGS")) {
            while (rs.next()) {
                logs.put(rs.getString(1), rs.getLong(2));
            }
        }
        return logs;
    }

    private static String grantee(Connection c) throws SQLException {
        String user = Connections.single(c, "SELECT CURRENT_USER()");
        int at = user.lastIndexOf('@');
        return at < 0 ? "'" + user + "'" : "'" + user.substring(0, at) + "'@'" + user.substring(at + 1) + "'";
    }

    private UserError error(String problem) {
        return new UserError("source " + endpoint.display() + ": " + problem);
    }

}
