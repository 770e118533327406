package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input, as an operator meets it: {@code overlap run} prints one line naming the problem and the
 * fix, exits 2, prints no stack trace and no password, and writes nothing (no slot on the source, no
 * offset on the target).
 */
class BadInputIT {
    private static final String WRONG_PASSWORD = "not-the-password-4711";
    private static DatabasePair pair;

    @BeforeAll
    static void schema() throws Exception {
        pair = DatabasePair.create("badinput");
        pair.onBoth("CREATE TABLE items (id int PRIMARY KEY, name text)");
    }

    /** Runs {@code overlap run} on the config and checks the shared promises of a refused start. */
    private static String refused(String yaml, Map<String, String> env) throws Exception {
        Path config = pair.writeConfig(yaml);
        OverlapProcess run = OverlapProcess.start(env, "run", "--config", config.toString());
        int exit = run.waitFor();
        String stderr = run.stderr();
        List<String> lines = stderr.lines().filter(l -> !l.isBlank()).toList();
        assertThat(exit).as("exit code; stderr: %s", stderr).isEqualTo(2);
        assertThat(lines).as("stderr").hasSize(1);
        assertThat(lines.get(0)).startsWith("overlap: ").doesNotContain(WRONG_PASSWORD);
        assertThat(stderr).doesNotContain("\tat ").doesNotContain("Exception");
        assertNothingWritten();
        return lines.get(0);
    }

    private static String refused(String yaml) throws Exception {
        return refused(yaml, Map.of(DatabasePair.PASSWORD_VARIABLE, pair.sourceServer.superuserPassword()));
    }

    private static void assertNothingWritten() throws Exception {
        try (Connection c = pair.source(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'overlap_" + pair.name + "'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("replication slots").isZero();
        }
        try (Connection c = pair.target(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT to_regclass('overlap_offsets') IS NOT NULL")) {
            rs.next();
            if (rs.getBoolean(1)) {
                try (ResultSet offsets = st.executeQuery("SELECT count(*) FROM overlap_offsets")) {
                    offsets.next();
                    assertThat(offsets.getInt(1)).as("offsets stored").isZero();
                }
            }
        }
    }

    @Test
    void unknownConfigKey() throws Exception {
        String yaml = pair.configYaml().replace("  user:", "  usr:");
        assertThat(refused(yaml)).contains("unknown key 'source.usr'").contains("password, tls, url, user");
    }

    @Test
    void literalPasswordInConfig() throws Exception {
        String yaml = pair.configYaml().replaceFirst("\\$\\{env:" + DatabasePair.PASSWORD_VARIABLE + "}", WRONG_PASSWORD);
        assertThat(refused(yaml)).contains("source.password").contains("${env:NAME} or ${file:/path}");
    }

    @Test
    void unsetPasswordVariable() throws Exception {
        assertThat(refused(pair.configYaml(), Map.of())).contains(DatabasePair.PASSWORD_VARIABLE).contains("is not set");
    }

    @Test
    void badUrl() throws Exception {
        String yaml = pair.configYaml().replace(pair.sourceServer.jdbcUrl(pair.name), "jdbc:oracle:thin:@old-host:1521/shop");
        assertThat(refused(yaml)).contains("source.url").contains("jdbc:postgresql://host:5432/db");
    }

    @Test
    void unreachableSource() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String yaml = pair.configYaml().replace(pair.sourceServer.jdbcUrl(pair.name),
                "jdbc:postgresql://127.0.0.1:" + closedPort + "/" + pair.name);
        assertThat(refused(yaml)).contains("source 127.0.0.1:" + closedPort).contains("cannot connect");
    }

    @Test
    void wrongPassword() throws Exception {
        String role = "pw_" + pair.name;
        DatabasePair.execute(pair.source(), "CREATE ROLE " + role + " LOGIN REPLICATION PASSWORD 'right-password'");
        pair.sourceServer.requirePassword(role);
        String yaml = pair.configYaml().replaceFirst("user: " + pair.sourceServer.superuser(), "user: " + role);
        String line = refused(yaml, Map.of(DatabasePair.PASSWORD_VARIABLE, WRONG_PASSWORD));
        assertThat(line).contains("login refused for user '" + role + "'").contains("source.password");
    }

    @Test
    void walLevelNotLogical() throws Exception {
        try (DatabaseServer replicaLevel = DatabaseServer.postgres(Map.of("wal_level", "replica"))) {
            String yaml = pair.configYaml().replace(pair.sourceServer.jdbcUrl(pair.name), replicaLevel.jdbcUrl("postgres"));
            assertThat(refused(yaml)).contains("wal_level is 'replica'").contains("wal_level = logical");
        }
    }

    @Test
    void noFreeReplicationSlot() throws Exception {
        try (DatabaseServer oneSlot = DatabaseServer.postgres(Map.of("max_replication_slots", "1"))) {
            DatabasePair.execute(oneSlot.connect("postgres"), "CREATE TABLE items (id int PRIMARY KEY)");
            DatabasePair.execute(oneSlot.connect("postgres"), "SELECT pg_create_logical_replication_slot('someone_else', 'pgoutput')");
            String yaml = pair.configYaml().replace(pair.sourceServer.jdbcUrl(pair.name), oneSlot.jdbcUrl("postgres"));
            assertThat(refused(yaml)).contains("all 1 replication slots are in use").contains("max_replication_slots");
        }
    }

    @Test
    void userWithoutReplicationAttribute() throws Exception {
        String role = "norepl_" + pair.name;
        DatabasePair.execute(pair.source(), "CREATE ROLE " + role + " LOGIN");
        String yaml = pair.configYaml().replaceFirst("user: " + pair.sourceServer.superuser(), "user: " + role);
        assertThat(refused(yaml)).contains("lacks the REPLICATION attribute").contains("ALTER ROLE " + role + " REPLICATION");
    }

    @Test
    void userWithoutSelect() throws Exception {
        String role = "nosel_" + pair.name;
        DatabasePair.execute(pair.source(), "CREATE ROLE " + role + " LOGIN REPLICATION");
        String yaml = pair.configYaml().replaceFirst("user: " + pair.sourceServer.superuser(), "user: " + role);
        assertThat(refused(yaml)).contains("lacks SELECT on public.items").contains("GRANT SELECT");
    }

    @Test
    void tableWithoutPrimaryKeyOrReplicaIdentityFull() throws Exception {
        DatabasePair other = DatabasePair.create("nokey");
        other.onBoth("CREATE TABLE log (at timestamp, line text)");
        String yaml = other.configYaml();
        DatabasePair saved = pair;
        pair = other;
        try {
            assertThat(refused(yaml)).contains("public.log has no primary key and REPLICA IDENTITY is not FULL")
                    .contains("REPLICA IDENTITY FULL");
        } finally {
            pair = saved;
        }
    }

    @Test
    void tableMissingOnTarget() throws Exception {
        DatabasePair other = DatabasePair.create("missing");
        other.onSource("CREATE TABLE only_on_source (id int PRIMARY KEY)");
        DatabasePair saved = pair;
        pair = other;
        try {
            assertThat(refused(other.configYaml("schema: existing"))).contains("target").contains("public.only_on_source is missing")
                    .contains("set schema: copy").contains("pg_dump --schema-only");
        } finally {
            pair = saved;
        }
    }

    @Test
    void metricsPortInUse() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String yaml = pair.configYaml().replace("listen: 127.0.0.1:0", "listen: 127.0.0.1:" + busy.getLocalPort());
            assertThat(refused(yaml)).contains("127.0.0.1:" + busy.getLocalPort() + " is in use");
        }
    }
}
