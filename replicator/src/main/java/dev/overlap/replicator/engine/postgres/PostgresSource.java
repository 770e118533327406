package dev.overlap.replicator.engine.postgres;

import dev.overlap.replicator.UserError;
import dev.overlap.replicator.catalog.SourceTable;
import dev.overlap.replicator.catalog.TableCatalog;
import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.config.Endpoint;
import dev.overlap.replicator.config.TableFilter;
import dev.overlap.replicator.heartbeat.SourceProbe;
import dev.overlap.replicator.heartbeat.SourceProbe;
import dev.overlap.replicator.heartbeat.SourceRetention;
import dev.overlap.replicator.jdbc.Connections;
import dev.overlap.replicator.sql.SqlDialect;
import dev.overlap.replicator.stream.SchemaChange;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL source: checks that it can be replicated from before anything starts, and manages the
 * pipeline's replication slot.
 *
 * <p>Checks, each a {@link UserError} naming the fix: {@code wal_level = logical}; the REPLICATION
 * attribute; SELECT on every selected table; a primary key or REPLICA IDENTITY FULL on every selected
 * table; no selected foreign or UNLOGGED table (neither is in the WAL); a selected partition only
 * together with the root of its tree, through which it is replicated (the publication publishes via the
 * root); the publication exists or can be created (CREATE PUBLICATION … FOR TABLE needs ownership of
 * the tables); a free replication slot.
 */
final class PostgresSource {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresSource.class);
    /**
     * Every table a filter may select: ordinary and partitioned tables, partitions (with the root of their
     * partition tree, through which they are replicated) and foreign tables (to refuse them by name).
     */
    private static final String TABLES_SQL = """
            SELECT n.nspname, c.relname, c.relreplident, c.relkind, c.relpersistence, rn.nspname AS root_schema, r.relname AS root,
                   has_table_privilege(c.oid, 'SELECT') AS can_select,
                   pg_has_role(c.relowner, 'USAGE') AS owned,
                   ARRAY(SELECT a.attname FROM pg_attribute a
                         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum)::text[] AS columns,
                   ARRAY(SELECT a.attname FROM pg_index i
                         CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                         WHERE i.indrelid = c.oid AND i.indisprimary ORDER BY k.ord)::text[] AS pk
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_class r ON c.relispartition AND r.oid = pg_partition_root(c.oid)
            LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace
            WHERE c.relkind IN ('r', 'p', 'f')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
            ORDER BY 1, 2""";

    private final Endpoint endpoint;
    /** Whether the server shows a slot's {@code wal_status}; read once, on first use. */
    private volatile Boolean walStatusKnown;

    /** @param endpoint the source database */
    public PostgresSource(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    /**
     * Checks the source and resolves the table selection.
     *
     * @param filter which tables to replicate
     * @param publication the publication the pipeline streams from
     * @return the selected tables, sorted by schema and name
     * @throws UserError naming the first problem found and its fix
     */
    public List<SourceTable> preflight(TableFilter filter, String publication) {
        try (Connection c = Connections.open(endpoint)) {
            String walLevel = Connections.single(c, "SHOW wal_level");
            if (!walLevel.equals("logical")) {
                throw error("wal_level is '" + walLevel + "'; set wal_level = logical in postgresql.conf"
                        + " (ALTER SYSTEM SET wal_level = logical) and restart PostgreSQL");
            }
            boolean superuser;
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT rolsuper, rolreplication FROM pg_roles WHERE rolname = current_user")) {
                rs.next();
                superuser = rs.getBoolean(1);
                if (!superuser && !rs.getBoolean(2)) {
                    throw error("user '" + endpoint.user() + "' lacks the REPLICATION attribute; as a superuser run"
                            + " ALTER ROLE " + endpoint.user() + " REPLICATION");
                }
            }
            List<SourceTable> tables = new ArrayList<>();
            List<String> notOwned = new ArrayList<>();
            Map<TableId, Integer> partitions = new LinkedHashMap<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(TABLES_SQL)) {
                while (rs.next()) {
                    TableId id = new TableId(rs.getString(1), rs.getString(2));
                    if (!filter.selects(id.schema(), id.table())) {
                        continue;
                    }
                    if (rs.getString("root") != null) {
                        TableId root = new TableId(rs.getString("root_schema"), rs.getString("root"));
                        if (!filter.selects(root.schema(), root.table())) {
                            throw error("table " + id + " is a partition of " + root + ", and partitions are replicated through"
                                    + " the root of their partition tree; select " + root + " instead (tables.include)");
                        }
                        partitions.merge(root, 1, Integer::sum);
                        continue;
                    }
                    if ("f".equals(rs.getString("relkind"))) {
                        throw error("table " + id + " is a foreign table, whose rows live on another server and are not in this"
                                + " one's WAL; exclude it (tables.exclude) and set it up on the target as on the source");
                    }
                    if ("u".equals(rs.getString("relpersistence"))) {
                        throw error("table " + id + " is UNLOGGED, so logical decoding never sees its changes; run ALTER TABLE "
                                + id + " SET LOGGED, or exclude it (tables.exclude)");
                    }
                    if (!rs.getBoolean("can_select")) {
                        throw error("user '" + endpoint.user() + "' lacks SELECT on " + id + "; run GRANT SELECT ON ALL TABLES IN SCHEMA "
                                + id.schema() + " TO " + endpoint.user());
                    }
                    List<String> pk = strings(rs.getArray("pk"));
                    if (pk.isEmpty() && !"f".equals(rs.getString("relreplident"))) {
                        throw error("table " + id + " has no primary key and REPLICA IDENTITY is not FULL; add a primary key"
                                + " or run ALTER TABLE " + id + " REPLICA IDENTITY FULL");
                    }
                    if (!rs.getBoolean("owned")) {
                        notOwned.add(id.toString());
                    }
                    tables.add(new SourceTable(id, strings(rs.getArray("columns")), pk, List.of(), false));
                }
            }
            partitions.forEach((root, count) -> LOG.info("{} is partitioned: its {} partitions are replicated through it", root, count));
            if (tables.isEmpty()) {
                throw error("no table matches tables " + filter + "; check tables.include and tables.exclude");
            }
            for (int i = 0; i < tables.size(); i++) {
                SourceTable table = tables.get(i);
                tables.set(i, new SourceTable(table.id(), table.columns(), table.keyColumns(),
                        TableCatalog.uniqueIndexes(c, table.id()), false));
            }
            checkFreeSlot(c, publication);
            publishThroughRoots(c, publication, superuser);
            if (!superuser && !notOwned.isEmpty() && !exists(c, "SELECT 1 FROM pg_publication WHERE pubname = ?", publication)) {
                throw error("publication " + publication + " does not exist and user '" + endpoint.user()
                        + "' does not own " + notOwned.get(0) + ", so cannot create it; as the tables' owner run CREATE PUBLICATION "
                        + publication + " FOR TABLE " + tables.stream().map(t -> t.id().toString()).collect(Collectors.joining(", ")));
            }
            return tables;
        } catch (SQLException e) {
            throw Connections.explain(endpoint, e);
        }
    }

    /**
     * Creates the publication when it does not exist yet, before the slot: pgoutput reads the publication
     * as of each change it decodes, so a publication created after the slot would fail the changes between.
     * Partitions publish through their root.
     *
     * @param publication the pipeline's publication
     * @param tables the tables it carries, the heartbeat table included
     * @param dialect for quoting
     * @throws SQLException when the source refuses (preflight checked that the user may create it)
     */
    public void createPublication(String publication, List<TableId> tables, SqlDialect dialect) throws SQLException {
        try (Connection c = Connections.open(endpoint)) {
            if (!exists(c, "SELECT 1 FROM pg_publication WHERE pubname = ?", publication)) {
                try (Statement st = c.createStatement()) {
                    st.execute("CREATE PUBLICATION " + dialect.quote(publication) + " FOR TABLE "
                            + tables.stream().map(dialect::table).collect(Collectors.joining(", "))
                            + " WITH (publish_via_partition_root = true)");
                }
            }
        }
    }

    /**
     * Creates the heartbeat table in the user's current schema and makes sure an existing publication
     * carries it (a publication Overlap creates itself lists it from the start).
     *
     * @param publication the pipeline's publication
     * @param dialect the source's dialect
     * @return the heartbeat table
     * @throws UserError when the table cannot be created or published, naming the statement to run
     */
    public TableId prepareHeartbeat(String publication, SqlDialect dialect) {
        try (Connection c = Connections.open(endpoint)) {
            String schema = Connections.single(c, "SELECT current_schema()");
            if (schema == null) {
                throw error("user '" + endpoint.user() + "' has no current schema (search_path); set one with ALTER ROLE "
                        + endpoint.user() + " SET search_path = public");
            }
            TableId table;
            try {
                table = SourceProbe.createTable(c, schema, dialect);
            } catch (SQLException e) {
                throw error("cannot create the heartbeat table " + schema + "." + SourceProbe.TABLE + " (" + e.getMessage()
                        + "); run GRANT CREATE ON SCHEMA " + schema + " TO " + endpoint.user());
            }
            publish(c, publication, table, dialect);
            return table;
        } catch (SQLException e) {
            throw Connections.explain(endpoint, e);
        }
    }

    /**
     * Creates the DDL capture table next to the heartbeat table, makes sure an existing publication carries it,
     * and installs the pipeline's event triggers ({@link DdlCapture}). A user who may not create event triggers
     * (only a superuser may) gets a warning with the SQL a superuser runs once; until then DDL on the source is
     * not followed, and a change the target cannot take stops the apply.
     *
     * @param schema the heartbeat table's schema
     * @param pipeline the pipeline
     * @param publication the pipeline's publication
     * @param filter the pipeline's table filter
     * @param dialect the source's dialect
     * @return the capture table
     * @throws UserError when the table cannot be created or published, naming the statement to run
     */
    public TableId prepareDdlCapture(String schema, String pipeline, String publication, TableFilter filter, SqlDialect dialect) {
        TableId table = new TableId(schema, SchemaChange.CAPTURE_TABLE);
        try (Connection c = Connections.open(endpoint)) {
            try (Statement st = c.createStatement()) {
                st.execute(DdlCapture.createTableSql(schema, dialect));
            } catch (SQLException e) {
                throw error("cannot create the DDL capture table " + table + " (" + e.getMessage() + "); run GRANT CREATE ON SCHEMA "
                        + schema + " TO " + endpoint.user());
            }
            publish(c, publication, table, dialect);
            List<String> install = DdlCapture.installSql(schema, pipeline, publication, filter, dialect);
            try {
                DdlCapture.install(c, install);
            } catch (SQLException e) {
                if (!DdlCapture.installed(c, pipeline)) {
                    LOG.warn("user '{}' may not create event triggers, so DDL on the source is not followed; as a superuser run"
                            + " once (then restart overlap):\n{};", endpoint.user(), String.join(";\n", install));
                }
            }
            return table;
        } catch (SQLException e) {
            throw Connections.explain(endpoint, e);
        }
    }

    /** Adds a table of Overlap's to an existing publication that lacks it (a publication Overlap creates lists it from the start). */
    private void publish(Connection c, String publication, TableId table, SqlDialect dialect) throws SQLException {
        if (exists(c, "SELECT 1 FROM pg_publication WHERE pubname = ?", publication)
                && !exists(c, "SELECT 1 FROM pg_publication_tables WHERE pubname = ? AND tablename = '" + table.table()
                + "' AND schemaname = '" + table.schema().replace("'", "''") + "'", publication)) {
            String alter = "ALTER PUBLICATION " + publication + " ADD TABLE " + dialect.table(table);
            try (Statement st = c.createStatement()) {
                st.execute(alter);
            } catch (SQLException e) {
                throw error("publication " + publication + " lacks " + table + " and user '" + endpoint.user()
                        + "' cannot add it; as the publication's owner run " + alter);
            }
        }
    }

    /**
     * @param name slot name
     * @return the slot, or empty when it does not exist
     * @throws UserError when the source cannot be read
     */
    public Optional<ReplicationSlot> slot(String name) {
        try (Connection c = Connections.open(endpoint);
             PreparedStatement ps = c.prepareStatement("SELECT active_pid, confirmed_flush_lsn::text, "
                     + (walStatusKnown(c) ? "wal_status" : "NULL") + " FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new ReplicationSlot(name, (Integer) rs.getObject(1), rs.getString(2), rs.getString(3)));
            }
        } catch (SQLException e) {
            throw Connections.explain(endpoint, e);
        }
    }

    /** @return whether the server shows a slot's {@code wal_status} and {@code safe_wal_size} (PostgreSQL 13+) */
    private boolean walStatusKnown(Connection c) throws SQLException {
        if (walStatusKnown == null) {
            walStatusKnown = Integer.parseInt(Connections.single(c, "SHOW server_version_num")) >= 130000;
        }
        return walStatusKnown;
    }

    /**
     * Backlog: {@code pg_current_wal_lsn()} minus the slot's {@code confirmed_flush_lsn}. Retained: the WAL the slot holds
     * back, {@code pg_current_wal_lsn() − restart_lsn}. Headroom: {@code safe_wal_size / max_slot_wal_keep_size}, the
     * share of the limit left before the server invalidates the slot at a checkpoint (-1 without a limit, and before
     * PostgreSQL 13). Lost: the slot is gone, or {@code wal_status} is {@code lost}. Stream connected: the slot is
     * {@code active} (a walsender streams from it). Column meanings from the
     * PostgreSQL documentation of {@code pg_replication_slots}.
     *
     * @param slot the pipeline's slot
     * @return the retention reader for the {@link SourceProbe}
     */
    SourceProbe.RetentionProbe retention(String slot) {
        return (c, lagSeconds) -> {
            boolean known = walStatusKnown(c);
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_current_wal_lsn() - confirmed_flush_lsn,"
                    + " pg_current_wal_lsn() - restart_lsn, "
                    + (known ? "wal_status, safe_wal_size, pg_size_bytes(current_setting('max_slot_wal_keep_size')),"
                    + " current_setting('max_slot_wal_keep_size')" : "NULL, NULL, -1, ''")
                    + ", active FROM pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return new SourceRetention(-1, -1, 0, "", "replication slot " + slot + " no longer exists", false);
                    }
                    long limitBytes = rs.getLong(5);
                    String limit = limitBytes > 0 ? "max_slot_wal_keep_size " + rs.getString(6) : "";
                    if ("lost".equals(rs.getString(3))) {
                        return new SourceRetention(-1, -1, 0, limit, "replication slot " + slot + " was invalidated"
                                + " (wal_status lost): the source removed WAL the pipeline had not applied (" + limit + ")",
                                rs.getBoolean(7));
                    }
                    long backlog = rs.getObject(1) == null ? -1 : rs.getLong(1);
                    long retained = rs.getObject(2) == null ? -1 : rs.getLong(2);
                    double headroom = limitBytes > 0 && rs.getObject(4) != null
                            ? Math.min(1, Math.max(0, rs.getLong(4) / (double) limitBytes)) : -1;
                    return new SourceRetention(backlog, retained, headroom, limit, null, rs.getBoolean(7));
                }
            }
        };
    }

    /**
     * Drops a slot, so that the source stops keeping WAL for it.
     *
     * @param name slot name
     * @throws UserError when the slot cannot be dropped (it is active, or the user may not)
     */
    public void dropSlot(String name) {
        try (Connection c = Connections.open(endpoint);
             PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, name);
            ps.execute();
        } catch (SQLException e) {
            throw error("cannot drop replication slot " + name + ": " + e.getMessage());
        }
    }

    /**
     * A publication Overlap finds (a superuser created it) must publish partitions' changes as their root's
     * ({@code publish_via_partition_root}), the table the pipeline streams; one it creates does (Debezium's
     * {@code publish.via.partition.root}). Without it, pgoutput names the partition, and its changes are lost.
     */
    private void publishThroughRoots(Connection c, String publication, boolean superuser) throws SQLException {
        Boolean viaRoot = null;
        boolean owned = false;
        try (PreparedStatement ps = c.prepareStatement("SELECT pubviaroot, pg_has_role(pubowner, 'USAGE') FROM pg_publication"
                + " WHERE pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    viaRoot = rs.getBoolean(1);
                    owned = rs.getBoolean(2);
                }
            }
        }
        if (viaRoot == null || viaRoot) {
            return;
        }
        String alter = "ALTER PUBLICATION " + publication + " SET (publish_via_partition_root = true)";
        if (!superuser && !owned) {
            throw error("publication " + publication + " publishes partitions under their own names, so the changes of a"
                    + " partitioned table would be lost; as the publication's owner run " + alter);
        }
        try (Statement st = c.createStatement()) {
            st.execute(alter);
        }
    }

    /** A new pipeline needs a free replication slot; its own slot, when it exists already, is reused. */
    private void checkFreeSlot(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*), current_setting('max_replication_slots')::int,"
                + " bool_or(slot_name = ?) FROM pg_replication_slots")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(3) && rs.getInt(1) >= rs.getInt(2)) {
                    throw error("all " + rs.getInt(2) + " replication slots are in use (max_replication_slots); drop unused ones"
                            + " (SELECT slot_name FROM pg_replication_slots WHERE NOT active) or raise max_replication_slots and restart");
                }
            }
        }
    }

    private UserError error(String problem) {
        return new UserError("source " + endpoint.display() + ": " + problem);
    }


    private static boolean exists(Connection c, String sql, String parameter) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static List<String> strings(Array array) throws SQLException {
        return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
    }
}
