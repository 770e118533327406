package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.overlap.embedded.EmbeddedBinlogServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code source.tls} and {@code target.tls} on MariaDB and MySQL servers with TLS switched on and a CA the test
 * makes. The pipeline's user is created {@code REQUIRE SUBJECT '/CN=overlap'}: the servers let it in only over
 * TLS with the client certificate of that CA, so every connection of the pipeline, the binlog client's
 * included, must carry the settings. The servers' certificates name {@code localhost} only.
 */
class BinlogTlsIT {
    private static final String USER = "overlap";
    private static final String PASSWORD = "tls-test-pw";
    private static TestCertificates authority;
    private static EmbeddedBinlogServer mariadbSource;
    private static EmbeddedBinlogServer mariadbTarget;
    private static EmbeddedBinlogServer mysqlSource;
    private static EmbeddedBinlogServer mysqlTarget;

    @BeforeAll
    static void makeCertificates() throws Exception {
        authority = TestCertificates.authority("overlap-binlog-test-ca");
        authority.issue("server", List.of("localhost"), List.of());
        authority.issue(USER, List.of(USER), List.of());
    }

    @AfterAll
    static void stopServers() {
        for (EmbeddedBinlogServer server : new EmbeddedBinlogServer[] {mariadbSource, mariadbTarget, mysqlSource, mysqlTarget}) {
            if (server != null) {
                server.close();
            }
        }
    }

    private static EmbeddedBinlogServer start(EmbeddedBinlogServer.Flavor flavor, String serverId) throws Exception {
        EmbeddedBinlogServer server = EmbeddedBinlogServer.start(flavor, Map.of("server_id", serverId,
                "ssl_ca", authority.caFile().toString(),
                "ssl_cert", authority.caFile().resolveSibling("server.crt").toString(),
                "ssl_key", authority.keyFile("server").toString()));
        try (Connection c = server.connect("mysql"); Statement st = c.createStatement()) {
            st.execute("CREATE USER '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "' REQUIRE SUBJECT '/CN=" + USER + "'");
            st.execute("GRANT ALL PRIVILEGES ON *.* TO '" + USER + "'@'%' WITH GRANT OPTION");
        }
        return server;
    }

    @Test
    void mariadbEveryConnectionIsEncryptedWithTheClientCertificateAtVerifyFull() throws Exception {
        if (mariadbSource == null) {
            mariadbSource = start(EmbeddedBinlogServer.Flavor.MARIADB, "1");
            mariadbTarget = start(EmbeddedBinlogServer.Flavor.MARIADB, "2");
        }
        replicatesOverTls(mariadbSource, mariadbTarget, "mariadb");
        refusesAWrongCaAndAWrongHost(mariadbSource, mariadbTarget, "mariadb");
    }

    @Test
    void mysqlEveryConnectionIsEncryptedWithTheClientCertificateAtVerifyFull() throws Exception {
        if (mysqlSource == null) {
            mysqlSource = start(EmbeddedBinlogServer.Flavor.MYSQL, "1");
            mysqlTarget = start(EmbeddedBinlogServer.Flavor.MYSQL, "2");
        }
        replicatesOverTls(mysqlSource, mysqlTarget, "mysql");
        refusesAWrongCaAndAWrongHost(mysqlSource, mysqlTarget, "mysql");
    }

    private static void replicatesOverTls(EmbeddedBinlogServer source, EmbeddedBinlogServer target, String scheme) throws Exception {
        String db = database(source, target, "tls_ok");
        EmbeddedSql.execute(source, db, "INSERT INTO orders SELECT seq, CONCAT('copied ', seq) FROM "
                + sequence(scheme, 500));
        Path config = config(db, scheme, "localhost", source, tls(authority.caFile()), "localhost", target, tls(authority.caFile()));
        OverlapProcess daemon = OverlapProcess.start(Map.of("PW", PASSWORD), "run", "--config", config.toString());
        try {
            awaitRows(target, db, 500, daemon);
            EmbeddedSql.execute(source, db, "INSERT INTO orders SELECT seq + 500, CONCAT('streamed ', seq) FROM " + sequence(scheme, 200));
            EmbeddedSql.execute(source, db, "UPDATE orders SET note = 'changed' WHERE id <= 10");
            awaitRows(target, db, 700, daemon);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> EmbeddedSql.query(target, db, "SELECT count(*) FROM orders WHERE note = 'changed'").equals("10"));
            // the binlog client is connected: a dump thread of the pipeline's user, which the server admits over TLS only
            assertThat(EmbeddedSql.query(source, "mysql", "SELECT count(*) FROM information_schema.PROCESSLIST WHERE USER = '" + USER
                    + "' AND COMMAND LIKE 'Binlog Dump%'")).isEqualTo("1");
            assertThat(daemon.alive()).as(daemon.stderr()).isTrue();
        } finally {
            assertThat(daemon.terminate()).as(daemon.stderr()).isZero();
        }
    }

    private static void refusesAWrongCaAndAWrongHost(EmbeddedBinlogServer source, EmbeddedBinlogServer target, String scheme)
            throws Exception {
        String db = database(source, target, "tls_refused");
        TestCertificates other = TestCertificates.authority("another-ca");
        OverlapProcess wrongCa = OverlapProcess.start(Map.of("PW", PASSWORD), "run", "--config", config(db, scheme,
                "localhost", source, tls(other.caFile()), "localhost", target, tls(authority.caFile())).toString());
        assertThat(wrongCa.waitFor()).as(wrongCa.stderr()).isEqualTo(2);
        assertThat(wrongCa.stderr().strip().lines()).as(wrongCa.stderr()).hasSize(1);
        assertThat(wrongCa.stderr()).contains("source localhost:" + source.port() + "/" + db
                + ": TLS refused: the server's certificate is not signed by a CA in source.tls.ca; check source.tls");

        // 127.0.0.1 reaches the same server, whose certificate names only localhost
        OverlapProcess wrongHost = OverlapProcess.start(Map.of("PW", PASSWORD), "run", "--config", config(db, scheme,
                "localhost", source, tls(authority.caFile()), "127.0.0.1", target, tls(authority.caFile())).toString());
        assertThat(wrongHost.waitFor()).as(wrongHost.stderr()).isEqualTo(2);
        assertThat(wrongHost.stderr().strip().lines()).as(wrongHost.stderr()).hasSize(1);
        assertThat(wrongHost.stderr()).contains("target 127.0.0.1:" + target.port() + "/" + db
                + ": TLS refused: the server's certificate does not name host 127.0.0.1; check target.tls");
    }

    private static String sequence(String scheme, int rows) {
        // MariaDB has seq_1_to_N; MySQL 8 a recursive common table expression
        return scheme.equals("mariadb") ? "seq_1_to_" + rows + " s"
                : "(WITH RECURSIVE s(seq) AS (SELECT 1 UNION ALL SELECT seq + 1 FROM s WHERE seq < " + rows + ") SELECT seq FROM s) s";
    }

    private static String tls(Path ca) {
        return "{mode: verify-full, ca: %s, cert: %s, key: %s}".formatted(ca,
                authority.caFile().resolveSibling(USER + ".crt"), authority.keyFile(USER));
    }

    private static String database(EmbeddedBinlogServer source, EmbeddedBinlogServer target, String prefix) throws Exception {
        String name = prefix + "_" + ProcessHandle.current().pid();
        source.createDatabase(name);
        target.createDatabase(name);
        EmbeddedSql.execute(source, name, "CREATE TABLE orders (id INT PRIMARY KEY, note VARCHAR(40) NOT NULL)");
        EmbeddedSql.execute(target, name, "CREATE TABLE orders (id INT PRIMARY KEY, note VARCHAR(40) NOT NULL)");
        return name;
    }

    private static Path config(String db, String scheme, String sourceHost, EmbeddedBinlogServer source, String sourceTls,
                               String targetHost, EmbeddedBinlogServer target, String targetTls) throws Exception {
        String yaml = """
                pipeline: %1$s
                source:
                  url: jdbc:%2$s://%3$s:%4$d/%1$s
                  user: %5$s
                  password: ${env:PW}
                  tls: %6$s
                target:
                  url: jdbc:%2$s://%7$s:%8$d/%1$s
                  user: %5$s
                  password: ${env:PW}
                  tls: %9$s
                schema: existing
                metrics:
                  listen: 127.0.0.1:0
                """.formatted(db, scheme, sourceHost, source.port(), USER, sourceTls, targetHost, target.port(), targetTls);
        Path file = Files.createDirectories(Path.of("target", "it-configs")).resolve(db + "_" + scheme + ".yml");
        Files.writeString(file, yaml);
        return file;
    }

    private static void awaitRows(EmbeddedBinlogServer target, String db, int rows, OverlapProcess daemon) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .ignoreExceptionsMatching(e -> !(e instanceof AssertionError)).until(() -> {
                    assertThat(daemon.alive()).as(daemon.stderr()).isTrue();
                    return EmbeddedSql.query(target, db, "SELECT count(*) FROM orders").equals(Integer.toString(rows));
                });
    }
}
