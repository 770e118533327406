package dev.overlap.replicator.engine.postgres;

import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.promote.Cutover;
import dev.overlap.replicator.sql.SqlDialect;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL side of promote. Freeze: {@code ALTER DATABASE … SET default_transaction_read_only = on}
 * (new sessions start read-only) and {@code pg_terminate_backend} for the application's client sessions
 * on the source database (the pipeline's own user, the spare roles and replication walsenders are left
 * alone), so no transaction begun before the freeze can commit after it. Sequences: PostgreSQL's
 * logical replication does not carry them (PostgreSQL manual, "Logical Replication: Restrictions"), so
 * each is set on the target with {@code setval} from the source's {@code pg_sequences}.
 */
final class PostgresCutover extends Cutover {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresCutover.class);
    private final String pipeline;
    private static final String READ_ONLY = "default_transaction_read_only";

    /**
     * @param config the pipeline's configuration
     * @param dialect the dialect of both databases
     */
    public PostgresCutover(OverlapConfig config, SqlDialect dialect) {
        super(config, dialect);
        this.pipeline = config.pipeline();
    }

    @Override
    public List<String> precheck() throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Connection c = sourceConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT r.rolsuper OR pg_has_role(d.datdba, 'USAGE'),"
                     + " r.rolsuper OR pg_has_role('pg_signal_backend', 'USAGE')"
                     + " FROM pg_database d, pg_roles r WHERE d.datname = current_database() AND r.rolname = current_user")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                problems.add("source user '" + source.user() + "' cannot ALTER DATABASE " + source.database()
                        + " to freeze it; make it the database owner or a superuser");
            }
            if (!rs.getBoolean(2)) {
                problems.add("source user '" + source.user() + "' cannot end the application's sessions; run GRANT pg_signal_backend TO "
                        + source.user());
            }
        }
        List<String[]> sequences = sourceSequences();
        try (Connection c = targetConnection()) {
            for (String[] sequence : sequences) {
                try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
                    ps.setString(1, dialect.quote(sequence[0]) + "." + dialect.quote(sequence[1]));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (!rs.getBoolean(1)) {
                            problems.add("sequence " + sequence[0] + "." + sequence[1] + " is missing on the target; restore it with the schema");
                        }
                    }
                }
            }
            if ("on".equals(readOnlySetting(c)) && !canAlterDatabase(c)) {
                problems.add("target database " + target.database() + " is read-only (default_transaction_read_only) and user '"
                        + target.user() + "' cannot lift it; make it the database owner or a superuser");
            }
        }
        return problems;
    }

    /** @return the source's database-level {@code default_transaction_read_only}, or {@code null} when unset */
    @Override
    public String sourceReadOnlySetting() throws SQLException {
        try (Connection c = sourceConnection()) {
            return readOnlySetting(c);
        }
    }

    /**
     * Freezes the source: new sessions read-only, the application's open sessions ended.
     *
     * @return how many sessions were ended
     * @throws SQLException when the source refuses
     */
    @Override
    public int freezeSource() throws SQLException {
        try (Connection c = sourceConnection()) {
            try (Statement st = c.createStatement()) {
                st.execute("ALTER DATABASE " + dialect.quote(source.database()) + " SET " + READ_ONLY + " = on");
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                    + " AND NOT (usename = ANY (?))")) {
                ps.setArray(1, c.createArrayOf("text", spareRoles.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        }
    }

    /**
     * Returns the source to the database-level setting it had before the freeze.
     *
     * @param previous the earlier setting, {@code null} when it was unset
     * @throws SQLException when the source refuses
     */
    @Override
    public void unfreezeSource(String previous) throws SQLException {
        try (Connection c = sourceConnection(); Statement st = c.createStatement()) {
            st.execute("SET default_transaction_read_only = off");
            st.execute("ALTER DATABASE " + dialect.quote(source.database())
                    + (previous == null ? " RESET " + READ_ONLY : " SET " + READ_ONLY + " = " + ("on".equals(previous) ? "on" : "off")));
        }
    }

    @Override
    public String unfreezeHint() {
        return "run ALTER DATABASE " + dialect.quote(source.database()) + " RESET " + READ_ONLY + " on the source";
    }

    /**
     * Sets every target sequence from the source: {@code setval(seq, last_value, true)}, or
     * {@code setval(seq, start_value, false)} for one never used.
     *
     * @return how many sequences were set
     * @throws SQLException when a sequence cannot be read or set
     */
    @Override
    public int fixSequences() throws SQLException {
        List<String[]> sequences = sourceSequences();
        try (Connection c = targetConnection();
             PreparedStatement ps = c.prepareStatement("SELECT setval(?::regclass, ?::bigint, ?)")) {
            for (String[] sequence : sequences) {
                ps.setString(1, dialect.quote(sequence[0]) + "." + dialect.quote(sequence[1]));
                boolean used = sequence[2] != null;
                ps.setLong(2, Long.parseLong(used ? sequence[2] : sequence[3]));
                ps.setBoolean(3, used);
                ps.execute();
            }
        }
        return sequences.size();
    }

    /**
     * Opens the target for writes: lifts a database-level {@code default_transaction_read_only = on}.
     *
     * @throws SQLException when the target refuses
     */
    @Override
    public void openTarget() throws SQLException {
        try (Connection c = targetConnection()) {
            if ("on".equals(readOnlySetting(c))) {
                try (Statement st = c.createStatement()) {
                    st.execute("ALTER DATABASE " + dialect.quote(target.database()) + " RESET " + READ_ONLY);
                }
            }
        }
    }

    /**
     * Drops the replication slot and the publication on the source, so the old host keeps no WAL for them, and the
     * DDL event triggers ({@link DdlCapture}; a user who may not is told the SQL).
     *
     * @param slot the slot, also the publication's name
     * @throws SQLException when either cannot be dropped
     */
    @Override
    public void dropReplication(String slot) throws SQLException {
        try (Connection c = sourceConnection()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ? AND NOT active")) {
                ps.setString(1, slot);
                ps.execute();
            }
            try (Statement st = c.createStatement()) {
                st.execute("SET default_transaction_read_only = off");
                st.execute("DROP PUBLICATION IF EXISTS " + dialect.quote(slot));
            }
            List<String> uninstall = DdlCapture.uninstallSql(pipeline, dialect);
            try (Statement st = c.createStatement()) {
                for (String sql : uninstall) {
                    st.execute(sql);
                }
            } catch (SQLException e) {
                LOG.warn("cannot drop the DDL event triggers (SQLState {}); as a superuser run on the source: {}", e.getSQLState(),
                        String.join("; ", uninstall));
            }
        }
    }

    @Override
    protected void allowFenceWrite(Statement session) throws SQLException {
        session.execute("SET default_transaction_read_only = off");
    }

    private List<String[]> sourceSequences() throws SQLException {
        List<String[]> sequences = new ArrayList<>();
        try (Connection c = sourceConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT schemaname, sequencename, last_value::text, start_value::text FROM pg_sequences"
                     + " WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND sequencename NOT LIKE 'overlap\\_%'"
                     + " ORDER BY 1, 2")) {
            while (rs.next()) {
                sequences.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
            }
        }
        return sequences;
    }

    private static boolean canAlterDatabase(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT r.rolsuper OR pg_has_role(d.datdba, 'USAGE')"
                + " FROM pg_database d, pg_roles r WHERE d.datname = current_database() AND r.rolname = current_user")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static String readOnlySetting(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT setconfig FROM pg_db_role_setting"
                + " WHERE setrole = 0 AND setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())")) {
            if (rs.next()) {
                Array config = rs.getArray(1);
                for (String entry : config == null ? new String[0] : (String[]) config.getArray()) {
                    if (entry.startsWith(READ_ONLY + "=")) {
                        return entry.substring(READ_ONLY.length() + 1);
                    }
                }
            }
        }
        return null;
    }
}
