package dev.overlap.replicator.engine.mysql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a MySQL-protocol server is, from {@code SELECT VERSION()}: MariaDB when the version string says
 * so (e.g. {@code 11.4.5-MariaDB-log}), MySQL otherwise. The Debezium connector and the SQL dialect
 * are chosen from this, not from the JDBC URL the user wrote.
 *
 * @param mariadb whether the server is MariaDB
 * @param version the full version string
 * @param major major version, e.g. 8 or 11
 * @param minor minor version
 * @param patch patch version
 */
record MySqlServer(boolean mariadb, String version, int major, int minor, int patch) {
    private static final Pattern NUMBERS = Pattern.compile("^(\\d+)\\.(\\d+)\\.(\\d+)");

    /**
     * @param connection an open connection
     * @return the server behind it
     * @throws SQLException when the version cannot be read
     */
    public static MySqlServer of(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT VERSION()")) {
            rs.next();
            return parse(rs.getString(1));
        }
    }

    /**
     * @param version a version string such as {@code 8.0.31} or {@code 11.4.5-MariaDB-log}
     * @return the server it describes
     */
    public static MySqlServer parse(String version) {
        Matcher m = NUMBERS.matcher(version);
        boolean matched = m.find();
        return new MySqlServer(version.contains("MariaDB"), version, matched ? Integer.parseInt(m.group(1)) : 0,
                matched ? Integer.parseInt(m.group(2)) : 0, matched ? Integer.parseInt(m.group(3)) : 0);
    }

    /** @return whether {@code INSERT … VALUES … AS alias ON DUPLICATE KEY UPDATE} works (MySQL 8.0.19+) */
    public boolean supportsRowAlias() {
        return !mariadb && (major > 8 || major == 8 && (minor > 0 || patch >= 19));
    }

    /** @return {@code MariaDB 11.4.5-MariaDB-log} or {@code MySQL 8.0.31} */
    @Override
    public String toString() {
        return (mariadb ? "MariaDB " : "MySQL ") + version;
    }
}
