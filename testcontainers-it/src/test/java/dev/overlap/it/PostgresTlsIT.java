package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.overlap.embedded.EmbeddedPostgresServer;
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
 * {@code source.tls} and {@code target.tls} on PostgreSQL servers with TLS switched on and a CA the test makes.
 * Both servers let the pipeline's user {@code overlap} in only over TLS with a client certificate of that CA
 * ({@code hostssl … clientcert=verify-full}), so every connection of the pipeline, the replication stream
 * included, must carry the settings. The servers' certificates name {@code localhost} only.
 */
class PostgresTlsIT {
    private static final String USER = "overlap";
    private static TestCertificates authority;
    private static EmbeddedPostgresServer source;
    private static EmbeddedPostgresServer target;

    @BeforeAll
    static void startServers() throws Exception {
        authority = TestCertificates.authority("overlap-test-ca");
        authority.issue("server", List.of("localhost"), List.of());
        authority.issue(USER, List.of(USER), List.of());
        source = start();
        target = start();
    }

    private static EmbeddedPostgresServer start() throws Exception {
        Path hba = Files.createTempFile(authority.caFile().getParent(), "pg_hba-", ".conf");
        Files.writeString(hba, """
                hostssl all %1$s 127.0.0.1/32 trust clientcert=verify-full
                hostssl replication %1$s 127.0.0.1/32 trust clientcert=verify-full
                host all postgres 127.0.0.1/32 trust
                local all all trust
                """.formatted(USER));
        EmbeddedPostgresServer server = EmbeddedPostgresServer.start(Map.of("ssl", "on",
                "ssl_cert_file", authority.caFile().resolveSibling("server.crt").toString(),
                "ssl_key_file", authority.keyFile("server").toString(),
                "ssl_ca_file", authority.caFile().toString(),
                "hba_file", hba.toString()));
        try (Connection c = server.connect("postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE " + USER + " LOGIN SUPERUSER REPLICATION");
        }
        return server;
    }

    @AfterAll
    static void stopServers() {
        source.close();
        target.close();
    }

    @Test
    void everyConnectionIsEncryptedAndVerifiedAtVerifyFull() throws Exception {
        String db = database("tls_ok");
        EmbeddedSql.execute(source, db, "CREATE TABLE orders (id int PRIMARY KEY, note text NOT NULL)");
        EmbeddedSql.execute(source, db, "INSERT INTO orders SELECT g, 'copied ' || g FROM generate_series(1, 500) g");
        OverlapProcess daemon = OverlapProcess.start(Map.of("PW", "unused"), "run", "--config",
                config(db, "localhost", tls(authority.caFile()), "localhost", tls(authority.caFile())).toString());
        try {
            awaitRows(db, 500);
            EmbeddedSql.execute(source, db, "INSERT INTO orders SELECT g, 'streamed ' || g FROM generate_series(501, 700) g");
            EmbeddedSql.execute(source, db, "UPDATE orders SET note = 'changed' WHERE id <= 10");
            awaitRows(db, 700);
            assertThat(EmbeddedSql.query(target, db, "SELECT count(*) FROM orders WHERE note = 'changed'")).isEqualTo("10");

            // the server's word: the replication connection is TLS with the pipeline's client certificate
            assertThat(EmbeddedSql.query(source, "postgres", "SELECT count(*) FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid)"
                    + " WHERE r.usename = '" + USER + "' AND s.ssl AND s.client_dn = '/CN=" + USER + "'")).isEqualTo("1");
            assertThat(EmbeddedSql.query(target, "postgres", "SELECT count(*) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)"
                    + " WHERE a.usename = '" + USER + "' AND s.ssl")).isNotEqualTo("0");
            assertThat(daemon.alive()).as(daemon.stderr()).isTrue();
        } finally {
            assertThat(daemon.terminate()).as(daemon.stderr()).isZero();
        }
        assertThat(daemon.stdout() + daemon.stderr()).doesNotContain("certificate is not checked");
    }

    @Test
    void aCaThatDidNotSignTheServerIsRefusedAtStartWithOneLine() throws Exception {
        String db = database("tls_wrong_ca");
        TestCertificates other = TestCertificates.authority("another-ca");
        OverlapProcess daemon = OverlapProcess.start(Map.of("PW", "unused"), "run", "--config",
                config(db, "localhost", tls(other.caFile()), "localhost", tls(authority.caFile())).toString());
        assertThat(daemon.waitFor()).as(daemon.stderr()).isEqualTo(2);
        assertThat(daemon.stderr().strip().lines()).as(daemon.stderr()).hasSize(1);
        assertThat(daemon.stderr()).contains("source localhost:" + source.port() + "/" + db + ": TLS refused: the server's certificate is not signed by a CA in source.tls.ca; check source.tls").doesNotContain("Exception:");
    }

    @Test
    void aCertificateNamingAnotherHostIsRefusedAtVerifyFull() throws Exception {
        String db = database("tls_wrong_host");
        // 127.0.0.1 reaches the same server, whose certificate names only localhost
        OverlapProcess daemon = OverlapProcess.start(Map.of("PW", "unused"), "run", "--config",
                config(db, "localhost", tls(authority.caFile()), "127.0.0.1", tls(authority.caFile())).toString());
        assertThat(daemon.waitFor()).as(daemon.stderr()).isEqualTo(2);
        assertThat(daemon.stderr().strip().lines()).as(daemon.stderr()).hasSize(1);
        assertThat(daemon.stderr()).contains("target 127.0.0.1:" + target.port() + "/" + db + ": TLS refused: the server's certificate does not name host 127.0.0.1; check target.tls").doesNotContain("Exception:");
    }

    private static String tls(Path ca) {
        return "{mode: verify-full, ca: %s, cert: %s, key: %s}".formatted(ca,
                authority.caFile().resolveSibling(USER + ".crt"), authority.keyFile(USER));
    }

    private static String database(String prefix) throws Exception {
        String name = prefix + "_" + ProcessHandle.current().pid();
        source.createDatabase(name);
        target.createDatabase(name);
        EmbeddedSql.execute(target, name, "CREATE TABLE orders (id int PRIMARY KEY, note text NOT NULL)");
        return name;
    }

    private static Path config(String db, String sourceHost, String sourceTls, String targetHost, String targetTls)
            throws Exception {
        String yaml = """
                pipeline: %1$s
                source:
                  url: jdbc:postgresql://%2$s:%3$d/%1$s
                  user: %4$s
                  password: ${env:PW}
                  tls: %5$s
                target:
                  url: jdbc:postgresql://%6$s:%7$d/%1$s
                  user: %4$s
                  password: ${env:PW}
                  tls: %8$s
                schema: existing
                metrics:
                  listen: 127.0.0.1:0
                """.formatted(db, sourceHost, source.port(), USER, sourceTls, targetHost, target.port(), targetTls);
        Path file = Files.createDirectories(Path.of("target", "it-configs")).resolve(db + ".yml");
        Files.writeString(file, yaml);
        return file;
    }

    private static void awaitRows(String db, int rows) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .ignoreExceptions().until(() -> EmbeddedSql.query(target, db, "SELECT count(*) FROM orders").equals(Integer.toString(rows)));
    }
}
