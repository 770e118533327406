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
import java.util.stream.Collectors;
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
        List<SourceSequence> sequences = sourceSequences();
        List<SourceSequence> unreadable = sequences.stream().filter(q -> !q.readable()).toList();
        if (!unreadable.isEmpty()) {
            problems.add("source user '" + source.user() + "' cannot read " + SourceSequence.list(unreadable)
                    + ", so FIX_SEQUENCES cannot carry their values; run " + SourceSequence.grant("SELECT", unreadable, source.user(), dialect));
        }
        try (Connection c = targetConnection()) {
            List<SourceSequence> missing = new ArrayList<>();
            List<SourceSequence> notSettable = new ArrayList<>();
            for (SourceSequence sequence : sequences) {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT to_regclass(?) IS NOT NULL, has_sequence_privilege(to_regclass(?), 'UPDATE')")) {
                    ps.setString(1, sequence.quoted(dialect));
                    ps.setString(2, sequence.quoted(dialect));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (!rs.getBoolean(1)) {
                            missing.add(sequence);
                        } else if (!rs.getBoolean(2)) {
                            notSettable.add(sequence);
                        }
                    }
                }
            }
            if (!missing.isEmpty()) {
                problems.add(SourceSequence.list(missing) + " missing on the target; restore the schema's sequences there");
            }
            if (!notSettable.isEmpty()) {
                problems.add("target user '" + target.user() + "' may not setval " + SourceSequence.list(notSettable) + "; run "
                        + SourceSequence.grant("UPDATE", notSettable, target.user(), dialect));
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
     * {@code setval(seq, start_value, false)} for one never used. {@code pg_sequences.last_value} is NULL both
     * for a sequence never used and for one the user may not read (PostgreSQL manual, "pg_sequences"), so an
     * unreadable sequence fails the step rather than being set back to its start.
     *
     * @return how many sequences were set
     * @throws SQLException when a sequence cannot be read or set
     */
    @Override
    public int fixSequences() throws SQLException {
        List<SourceSequence> sequences = sourceSequences();
        for (SourceSequence sequence : sequences) {
            if (!sequence.readable()) {
                throw new SQLException("source user '" + source.user() + "' cannot read sequence " + sequence.display(), "42501");
            }
        }
        try (Connection c = targetConnection();
             PreparedStatement ps = c.prepareStatement("SELECT setval(?::regclass, ?::bigint, ?)")) {
            for (SourceSequence sequence : sequences) {
                ps.setString(1, sequence.quoted(dialect));
                boolean used = sequence.lastValue() != null;
                ps.setLong(2, Long.parseLong(used ? sequence.lastValue() : sequence.startValue()));
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

    @Override
    public boolean targetOpen() throws SQLException {
        try (Connection c = targetConnection()) {
            return !"on".equals(readOnlySetting(c));
        }
    }

    @Override
    public String targetOpenCheck() {
        return "SELECT setconfig FROM pg_db_role_setting WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = '"
                + target.database() + "') AND setrole = 0 (open when it holds no default_transaction_read_only=on)";
    }

    /**
     * Drops the replication slot and the publication on the source, so the old host keeps no WAL for them, and the
     * DDL event triggers ({@link DdlCapture}; a user who may not is told the SQL).
     *
     * @param slot the slot, also the publication's name
     * @throws SQLException when either cannot be dropped
     */
    @Override
    public List<String> dropReplication(String slot) throws SQLException {
        List<String> dropped = new ArrayList<>();
        try (Connection c = sourceConnection()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ? AND NOT active")) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        dropped.add("replication slot " + slot);
                    }
                }
            }
            boolean published;
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_publication WHERE pubname = ?")) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    published = rs.next() && rs.getInt(1) > 0;
                }
            }
            try (Statement st = c.createStatement()) {
                st.execute("SET default_transaction_read_only = off");
                st.execute("DROP PUBLICATION IF EXISTS " + dialect.quote(slot));
            }
            if (published) {
                dropped.add("publication " + slot);
            }
            boolean triggers = DdlCapture.installed(c, pipeline);
            List<String> uninstall = DdlCapture.uninstallSql(pipeline, dialect);
            try (Statement st = c.createStatement()) {
                for (String sql : uninstall) {
                    st.execute(sql);
                }
                if (triggers) {
                    dropped.add("DDL event triggers and function of pipeline " + pipeline);
                }
            } catch (SQLException e) {
                LOG.warn("cannot drop the DDL event triggers (SQLState {}); as a superuser run on the source: {}", e.getSQLState(),
                        String.join("; ", uninstall));
            }
        }
        return dropped;
    }

    @Override
    protected void allowFenceWrite(Statement session) throws SQLException {
        session.execute("SET default_transaction_read_only = off");
    }

    /**
     * A source sequence as {@code pg_sequences} shows it to the source user.
     *
     * @param lastValue the last value handed out, or {@code null} when never used or not {@code readable}
     * @param readable whether the user has SELECT or USAGE on it, without which {@code last_value} reads NULL
     */
    private record SourceSequence(String schema, String name, String lastValue, String startValue, boolean readable) {
        String display() {
            return schema + "." + name;
        }

        String quoted(SqlDialect dialect) {
            return dialect.quote(schema) + "." + dialect.quote(name);
        }

        /** @return "sequence a.b" or "sequences a.b, c.d" */
        static String list(List<SourceSequence> sequences) {
            return (sequences.size() == 1 ? "sequence " : "sequences ")
                    + sequences.stream().map(SourceSequence::display).collect(Collectors.joining(", "));
        }

        /** @return {@code GRANT <privilege> ON ALL SEQUENCES IN SCHEMA …} for the sequences' schemas */
        static String grant(String privilege, List<SourceSequence> sequences, String user, SqlDialect dialect) {
            return "GRANT " + privilege + " ON ALL SEQUENCES IN SCHEMA "
                    + sequences.stream().map(q -> dialect.quote(q.schema())).distinct().collect(Collectors.joining(", "))
                    + " TO " + dialect.quote(user);
        }
    }

    private List<SourceSequence> sourceSequences() throws SQLException {
        List<SourceSequence> sequences = new ArrayList<>();
        try (Connection c = sourceConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT schemaname, sequencename, last_value::text, start_value::text,"
                     + " has_sequence_privilege(format('%I.%I', schemaname, sequencename), 'SELECT, USAGE') FROM pg_sequences"
                     + " WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND sequencename NOT LIKE 'overlap\\_%'"
                     + " ORDER BY 1, 2")) {
            while (rs.next()) {
                sequences.add(new SourceSequence(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getBoolean(5)));
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
