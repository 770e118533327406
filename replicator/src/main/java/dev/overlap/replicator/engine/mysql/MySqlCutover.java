package dev.overlap.replicator.engine.mysql;

import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.promote.Cutover;
import dev.overlap.replicator.sql.SqlDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The MySQL/MariaDB side of promote. Freeze: {@code SET GLOBAL read_only = ON}, which stops every
 * session without SUPER (MySQL: CONNECTION_ADMIN; MariaDB: READ ONLY ADMIN) from writing, and
 * {@code KILL CONNECTION} for the application's sessions (the pipeline's own user, the spare roles,
 * binlog dump threads and system threads are left alone); after the fence is written, MySQL also gets
 * {@code super_read_only = ON}, which stops even privileged sessions (MySQL manual, "System Variables:
 * read_only, super_read_only"), unless {@code promote.reverse} needs the old host to take the reverse apply. Generators: AUTO_INCREMENT is not replicated as such, so every target
 * table's counter is raised to at least the source's counter and above the target's max(key).
 */
final class MySqlCutover extends Cutover {
    private static final List<String> SET_GLOBAL = List.of("ALL PRIVILEGES ON *.*", "SUPER", "SYSTEM_VARIABLES_ADMIN");
    /**
     * MariaDB: who may set {@code read_only} and write under it. MariaDB 10.11 split READ_ONLY ADMIN from SUPER
     * (MDEV-29596); {@code SHOW GRANTS} spells it {@code READ_ONLY ADMIN}, some versions {@code READ ONLY ADMIN}.
     */
    private static final List<String> MARIADB_READ_ONLY = List.of("ALL PRIVILEGES ON *.*", "READ_ONLY ADMIN", "READ ONLY ADMIN");
    private static final List<String> KILL_OTHERS = List.of("ALL PRIVILEGES ON *.*", "SUPER", "CONNECTION_ADMIN", "CONNECTION ADMIN");
    private final boolean reverse;

    /**
     * @param config the pipeline's configuration
     * @param dialect the dialect of both databases
     */
    public MySqlCutover(OverlapConfig config, SqlDialect dialect) {
        super(config, dialect);
        this.reverse = config.promote().reverse();
    }

    @Override
    public List<String> precheck() throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Connection c = sourceConnection()) {
            String grants = grants(c);
            if (!hasSuperReadOnly(c)) {
                if (MARIADB_READ_ONLY.stream().noneMatch(grants::contains) || KILL_OTHERS.stream().noneMatch(grants::contains)) {
                    problems.add("source user '" + source.user() + "' cannot SET GLOBAL read_only, write the fence under it and end"
                            + " other sessions; run GRANT READ_ONLY ADMIN, CONNECTION ADMIN ON *.* TO '" + source.user()
                            + "' (MariaDB 10.11: SUPER no longer includes READ_ONLY ADMIN)");
                }
            } else if (SET_GLOBAL.stream().noneMatch(grants::contains) || KILL_OTHERS.stream().noneMatch(grants::contains)) {
                problems.add("source user '" + source.user() + "' cannot SET GLOBAL read_only and end other sessions;"
                        + " grant it SUPER (MySQL 8: SYSTEM_VARIABLES_ADMIN, CONNECTION_ADMIN)");
            }
        }
        try (Connection c = targetConnection()) {
            boolean mariadb = !hasSuperReadOnly(c);
            if (readOnly(c) && (mariadb ? MARIADB_READ_ONLY : SET_GLOBAL).stream().noneMatch(grants(c)::contains)) {
                problems.add("target is read_only and user '" + target.user() + "' cannot lift it; " + (mariadb
                        ? "run GRANT READ_ONLY ADMIN ON *.* TO '" + target.user() + "'" : "grant it SUPER (MySQL 8: SYSTEM_VARIABLES_ADMIN)"));
            }
        }
        return problems;
    }

    /** @return {@code on} or {@code off}: the source's global read_only before the freeze */
    @Override
    public String sourceReadOnlySetting() throws SQLException {
        try (Connection c = sourceConnection()) {
            return readOnly(c) ? "on" : "off";
        }
    }

    @Override
    public int freezeSource() throws SQLException {
        try (Connection c = sourceConnection(); Statement st = c.createStatement()) {
            st.execute("SET GLOBAL read_only = ON");
            List<Long> sessions = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, user FROM information_schema.PROCESSLIST"
                    + " WHERE id <> CONNECTION_ID() AND command NOT IN ('Binlog Dump', 'Binlog Dump GTID', 'Daemon', 'Killed')"
                    + " AND user NOT IN ('system user', 'event_scheduler')");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (!spareRoles.contains(rs.getString(2))) {
                        sessions.add(rs.getLong(1));
                    }
                }
            }
            for (long id : sessions) {
                try {
                    st.execute("KILL CONNECTION " + id);
                } catch (SQLException gone) {
                    // the session ended by itself meanwhile
                }
            }
            return sessions.size();
        }
    }

    @Override
    public void unfreezeSource(String previous) throws SQLException {
        try (Connection c = sourceConnection(); Statement st = c.createStatement()) {
            if (hasSuperReadOnly(c)) {
                st.execute("SET GLOBAL super_read_only = OFF");
            }
            st.execute("SET GLOBAL read_only = " + ("on".equals(previous) ? "ON" : "OFF"));
        }
    }

    @Override
    public String unfreezeHint() {
        return "run SET GLOBAL read_only = OFF on the source (after SET GLOBAL super_read_only = OFF on MySQL)";
    }

    /** The fence session writes under read_only thanks to the user's SUPER (or its MySQL 8 / MariaDB successors). */
    @Override
    protected void allowFenceWrite(Statement session) {
    }

    /** MySQL: {@code super_read_only = ON} once the fence is written, so not even a privileged session writes. */
    @Override
    protected void afterFence(Statement session) throws SQLException {
        // with the reverse direction the old host must take its apply under read_only, which super_read_only forbids
        if (!reverse && hasSuperReadOnly(session.getConnection())) {
            session.execute("SET GLOBAL super_read_only = ON");
        }
    }

    /**
     * Raises every target AUTO_INCREMENT to at least the source's counter and above the target's max(key).
     *
     * @return how many tables with an AUTO_INCREMENT column were checked
     */
    @Override
    public int fixSequences() throws SQLException {
        Map<String, Long> sourceCounters;
        try (Connection c = sourceConnection()) {
            sourceCounters = counters(c);
        }
        try (Connection c = targetConnection(); Statement st = c.createStatement()) {
            Map<String, Long> targetCounters = counters(c);
            for (Map.Entry<String, Long> entry : targetCounters.entrySet()) {
                String table = entry.getKey();
                long needed = Math.max(sourceCounters.getOrDefault(table, 1L), maxKey(c, table) + 1);
                if (entry.getValue() < needed) {
                    st.execute("ALTER TABLE " + dialect.quote(table) + " AUTO_INCREMENT = " + needed);
                }
            }
            return targetCounters.size();
        }
    }

    @Override
    public void openTarget() throws SQLException {
        try (Connection c = targetConnection(); Statement st = c.createStatement()) {
            if (readOnly(c)) {
                if (hasSuperReadOnly(c)) {
                    st.execute("SET GLOBAL super_read_only = OFF");
                }
                st.execute("SET GLOBAL read_only = OFF");
            }
        }
    }

    @Override
    public boolean targetOpen() throws SQLException {
        try (Connection c = targetConnection()) {
            return !readOnly(c);
        }
    }

    @Override
    public String targetOpenCheck() {
        return "SELECT @@GLOBAL.read_only (open when 0)";
    }

    /** A binlog source keeps nothing for the pipeline (no slot); binlog retention is the server's own. */
    @Override
    public List<String> dropReplication(String slot) {
        return List.of();
    }

    /** @return table → AUTO_INCREMENT counter of the connection's database, for tables that have one */
    private static Map<String, Long> counters(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            try {
                st.execute("SET SESSION information_schema_stats_expiry = 0");
            } catch (SQLException mariadb) {
                // MariaDB has no cache of table statistics to expire
            }
        }
        Map<String, Long> counters = new LinkedHashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT TABLE_NAME, AUTO_INCREMENT"
                + " FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND AUTO_INCREMENT IS NOT NULL")) {
            while (rs.next()) {
                counters.put(rs.getString(1), rs.getLong(2));
            }
        }
        return counters;
    }

    private long maxKey(Connection c, String table) throws SQLException {
        String column;
        try (PreparedStatement ps = c.prepareStatement("SELECT COLUMN_NAME FROM information_schema.COLUMNS"
                + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND EXTRA LIKE '%auto_increment%'")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return 0;
                }
                column = rs.getString(1);
            }
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT COALESCE(MAX(" + dialect.quote(column) + "), 0) FROM " + dialect.quote(table))) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static boolean readOnly(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT @@global.read_only")) {
            rs.next();
            return rs.getInt(1) != 0;
        }
    }

    private static boolean hasSuperReadOnly(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT VERSION()")) {
            rs.next();
            return !rs.getString(1).toLowerCase(Locale.ROOT).contains("mariadb");
        }
    }

    private static String grants(Connection c) throws SQLException {
        StringBuilder all = new StringBuilder();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW GRANTS")) {
            while (rs.next()) {
                all.append(rs.getString(1)).append('\n');
            }
        }
        return all.toString().replace("`", "");
    }
}
