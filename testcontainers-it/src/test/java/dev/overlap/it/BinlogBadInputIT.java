package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bad input on MySQL/MariaDB sources, as an operator meets it: {@code overlap run} prints one line
 * naming the setting or grant and the fix, exits 2, and stores no offset. Binlog settings are tested on
 * a MariaDB server of their own; grants on MariaDB and MySQL 8.0 (both routes enforce grants).
 */
class BinlogBadInputIT {

    /** Runs {@code overlap run} on the pair's config, with the source user and URL replaced, and checks the refusal. */
    private static String refused(DatabasePair pair, String sourceUrl, String sourceUser, String password) throws Exception {
        return refusedConfig(pair, pair.configYaml().replace(pair.sourceServer.jdbcUrl(pair.name), sourceUrl), sourceUser, password);
    }

    /** Runs {@code overlap run} on the given config, with the source user replaced, and checks the refusal. */
    private static String refusedConfig(DatabasePair pair, String configYaml, String sourceUser, String password) throws Exception {
        String yaml = configYaml
                .replaceFirst("user: " + pair.sourceServer.superuser(), "user: " + sourceUser)
                .replaceFirst("\\$\\{env:" + DatabasePair.PASSWORD_VARIABLE + "}", "\\${env:OVERLAP_TEST_SOURCE_PASSWORD}");
        Path config = pair.writeConfig(yaml);
        OverlapProcess run = OverlapProcess.start(Map.of(DatabasePair.PASSWORD_VARIABLE, pair.targetServer.superuserPassword(),
                "OVERLAP_TEST_SOURCE_PASSWORD", password), "run", "--config", config.toString());
        int exit = run.waitFor();
        String stderr = run.stderr();
        List<String> lines = stderr.lines().filter(l -> !l.isBlank()).toList();
        assertThat(exit).as("exit code; stderr: %s", stderr).isEqualTo(2);
        assertThat(lines).as("stderr").hasSize(1);
        assertThat(stderr).doesNotContain("\tat ").doesNotContain("Exception");
        try (Connection c = pair.target(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
                     + " AND TABLE_NAME = 'overlap_offsets'")) {
            rs.next();
            if (rs.getInt(1) > 0) {
                try (ResultSet offsets = st.executeQuery("SELECT COUNT(*) FROM overlap_offsets")) {
                    offsets.next();
                    assertThat(offsets.getInt(1)).as("offsets stored").isZero();
                }
            }
        }
        return lines.get(0);
    }

    private static String refused(DatabasePair pair) throws Exception {
        return refused(pair, pair.sourceServer.jdbcUrl(pair.name), pair.sourceServer.superuser(), pair.sourceServer.superuserPassword());
    }

    @Test
    void binlogSettingsOtherThanRowAndFull() throws Exception {
        try (DatabaseServer source = DatabaseServer.mariadb(Map.of())) {
            DatabasePair pair = DatabasePair.create("maria_settings", source, Servers.mariadbTarget());
            pair.onBoth("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20))");
            pair.onSource("SET GLOBAL binlog_format = 'STATEMENT'");
            assertThat(refused(pair)).contains("binlog_format is 'STATEMENT'").contains("binlog_format = ROW");
            pair.onSource("SET GLOBAL binlog_format = 'ROW'; SET GLOBAL binlog_row_image = 'MINIMAL'");
            assertThat(refused(pair)).contains("binlog_row_image is 'MINIMAL'").contains("binlog_row_image = FULL");
        }
        try (DatabaseServer source = DatabaseServer.mariadb(Map.of("log_bin", "OFF"))) {
            DatabasePair pair = DatabasePair.create("maria_nobinlog", source, Servers.mariadbTarget());
            pair.onBoth("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20))");
            assertThat(refused(pair)).contains("binary log is off").contains("log-bin");
        }
    }

    @Test
    void cascadingForeignKeyToATableNotSelectedIsRefused() throws Exception {
        DatabasePair pair = DatabasePair.create("maria_cascade", Servers.mariadbSource(), Servers.mariadbTarget());
        pair.onBoth("CREATE TABLE orders (id INT PRIMARY KEY); CREATE TABLE items (id INT PRIMARY KEY, order_id INT NOT NULL,"
                + " FOREIGN KEY fk_items_order (order_id) REFERENCES orders (id) ON DELETE CASCADE)");
        assertThat(refusedConfig(pair, pair.configYaml("tables:", "  exclude: [" + pair.name + ".orders]"), pair.sourceServer.superuser(),
                pair.sourceServer.superuserPassword()))
                .contains("table " + pair.name + ".items has foreign key").contains("ON DELETE CASCADE")
                .contains("orders is not selected").contains("the binlog does not carry cascaded changes");
    }

    @Test
    void mariaDbUserWithoutBinlogMonitor() throws Exception {
        DatabasePair pair = DatabasePair.create("maria_grants", Servers.mariadbSource(), Servers.mariadbTarget());
        pair.onBoth("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20))");
        String user = "nomon" + Math.abs(pair.name.hashCode() % 1000);
        pair.onSource("CREATE USER '" + user + "'@'%' IDENTIFIED BY 'pw-4711'; GRANT RELOAD, REPLICATION SLAVE ON *.* TO '"
                + user + "'@'%'; GRANT SELECT, CREATE, INSERT, UPDATE ON `" + pair.name + "`.* TO '" + user + "'@'%'");
        assertThat(refused(pair, pair.sourceServer.jdbcUrl(pair.name), user, "pw-4711"))
                .contains("lacks the BINLOG MONITOR privilege").contains("GRANT RELOAD, REPLICATION SLAVE, BINLOG MONITOR ON *.*")
                .doesNotContain("pw-4711");
    }

    @Test
    void mySqlUserWithoutReplicationGrants() throws Exception {
        DatabasePair pair = DatabasePair.create("my_grants", Servers.mysqlSource(), Servers.mysqlTarget());
        pair.onBoth("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20))");
        String user = "norepl" + Math.abs(pair.name.hashCode() % 1000);
        pair.onSource("CREATE USER '" + user + "'@'%' IDENTIFIED BY 'pw-4711'; GRANT RELOAD, REPLICATION CLIENT ON *.* TO '"
                + user + "'@'%'; GRANT SELECT ON `" + pair.name + "`.* TO '" + user + "'@'%'");
        assertThat(refused(pair, pair.sourceServer.jdbcUrl(pair.name), user, "pw-4711"))
                .contains("lacks the REPLICATION SLAVE privilege").contains("GRANT RELOAD, REPLICATION SLAVE, REPLICATION CLIENT ON *.*");

        pair.onSource("GRANT REPLICATION SLAVE ON *.* TO '" + user + "'@'%'; REVOKE SELECT ON `" + pair.name + "`.* FROM '" + user + "'@'%';"
                + " GRANT INSERT ON `" + pair.name + "`.* TO '" + user + "'@'%'");
        assertThat(refused(pair, pair.sourceServer.jdbcUrl(pair.name), user, "pw-4711"))
                .contains("lacks SELECT on " + pair.name + ".items");
    }
}
