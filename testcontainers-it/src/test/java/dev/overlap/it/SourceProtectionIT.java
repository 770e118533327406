package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.overlap.replicator.pipeline.Pipeline;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The source is protected from its slot: a PostgreSQL source with {@code max_slot_wal_keep_size = 48MB}. While the
 * apply is held up, {@code overlap_source_retention_headroom_ratio} falls and the daemon warns before the limit; once
 * the slot is invalidated (WAL written while the daemon is down), the next start exits 2 with one line that says the
 * pipeline needs a fresh initial copy and how to start one.
 */
@Tag("slow")
class SourceProtectionIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final DatabaseServer SOURCE = DatabaseServer.postgres(Map.of("max_slot_wal_keep_size", "48MB",
            "max_wal_size", "256MB", "wal_sender_timeout", "5s"));

    @AfterAll
    static void stop() {
        SOURCE.close();
    }

    @Test
    void mariadbHeadroomIsTheExpiryLeftAndAPurgedBinlogStopsTheStartWithOneLine() throws Exception {
        try (DatabaseServer source = DatabaseServer.mariadb(Map.of("binlog_expire_logs_seconds", "86400"))) {
            DatabasePair pair = DatabasePair.create("srcprotm", source, Servers.mariadbTarget());
            pair.onBoth("CREATE TABLE orders (id INT PRIMARY KEY, note VARCHAR(40) NOT NULL)");
            String yaml = pair.configYaml();
            try (Pipeline pipeline = pair.startPipelineWith(yaml)) {
                pair.onSource("INSERT INTO orders VALUES (1, 'first')");
                pair.awaitIdentical(Duration.ofSeconds(60), pipeline);
                String metrics = "http://127.0.0.1:" + pipeline.httpAddress().getPort() + "/metrics";
                // a day of expiry and a lag of about a second: nearly all of it is left
                double headroom = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> metric(metrics, "overlap_source_retention_headroom_ratio"), r -> r > 0.99);
                assertThat(headroom).isLessThanOrEqualTo(1.0);
                assertThat(metric(metrics, "overlap_source_retained_bytes")).isGreaterThanOrEqualTo(0);
            }
            // while the daemon is down, the binlog with its position is purged (the server keeps a binlog a dump thread reads)
            pair.onSource("INSERT INTO orders VALUES (2, 'while the daemon was down')");
            try (Connection c = pair.source(); Statement st = c.createStatement()) {
                // an idle dump thread notices its closed client only at its next write: end it as the server would
                java.util.List<Long> dumps = new java.util.ArrayList<>();
                try (ResultSet rs = st.executeQuery("SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'")) {
                    while (rs.next()) {
                        dumps.add(rs.getLong(1));
                    }
                }
                for (long id : dumps) {
                    st.execute("KILL CONNECTION " + id);
                }
                st.execute("FLUSH BINARY LOGS");
                String newest;
                try (ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
                    rs.next();
                    newest = rs.getString(1);
                }
                // a binlog is purged once the server's binlog checkpoint has passed it, which it writes shortly after the flush
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
                    st.execute("PURGE BINARY LOGS TO '" + newest + "'");
                    try (ResultSet rs = st.executeQuery("SHOW BINARY LOGS")) {
                        return rs.next() && rs.getString(1).equals(newest) && !rs.next();
                    }
                });
            }
            OverlapProcess restart = OverlapProcess.start(Map.of(DatabasePair.PASSWORD_VARIABLE, source.superuserPassword()),
                    "run", "--config", pair.writeConfig(yaml).toString());
            assertThat(restart.waitFor()).as(restart.stderr()).isEqualTo(2);
            assertThat(restart.stderr().lines().filter(line -> line.startsWith("overlap: "))).as(restart.stderr()).hasSize(1);
            assertThat(restart.stderr()).contains("the source no longer has").contains("To start over")
                    .doesNotContain("Exception");
        }
    }

    @Test
    void headroomFallsWhileTheApplyIsHeldUpAndALostSlotStopsTheStartWithOneLine() throws Exception {
        DatabasePair pair = DatabasePair.create("srcprot", SOURCE, Servers.target());
        pair.onBoth("CREATE TABLE orders (id int PRIMARY KEY, note text NOT NULL)");
        // WAL that the pipeline does not replicate: the filler table is not selected
        pair.onBoth("CREATE TABLE filler (id int, pad text)");
        String yaml = pair.configYaml("tables:", "  include: [public.orders]");
        Pipeline pipeline = pair.startPipelineWith(yaml);
        String metrics = "http://127.0.0.1:" + pipeline.httpAddress().getPort() + "/metrics";
        try {
            pair.onSource("INSERT INTO orders VALUES (1, 'first')");
            pair.awaitIdentical(Duration.ofSeconds(60), pipeline);
            double roomy = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> metric(metrics, "overlap_source_retention_headroom_ratio"), r -> r > 0.5);
            assertThat(roomy).isLessThanOrEqualTo(1.0);
            assertThat(metric(metrics, "overlap_source_retained_bytes")).isGreaterThanOrEqualTo(0);

            // the apply waits for a lock on the target; the slot cannot advance while the source writes 60 MB of WAL
            try (Connection lock = pair.target(); Statement st = lock.createStatement()) {
                lock.setAutoCommit(false);
                st.execute("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
                pair.onSource("INSERT INTO orders VALUES (2, 'held up')");
                pair.onSource("INSERT INTO filler SELECT g, repeat('x', 1000) FROM generate_series(1, 60000) g");
                double low = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .until(() -> metric(metrics, "overlap_source_retention_headroom_ratio"), r -> r >= 0 && r < 0.25);
                assertThat(low).isLessThan(0.25);
                lock.rollback();
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> DatabasePair.rows(pair.target(), "orders").size() == 2);
            assertThat(pipeline.failure()).isNull();
        } finally {
            pipeline.close();
        }

        // the daemon is down; the source writes past max_slot_wal_keep_size and a checkpoint invalidates the slot
        pair.onSource("INSERT INTO orders VALUES (3, 'while the daemon was down')");
        for (int round = 0; round < 5 && !slotLost(pair); round++) {
            pair.onSource("INSERT INTO filler SELECT g, repeat('x', 1000) FROM generate_series(1, 40000) g");
            pair.onSource("SELECT pg_switch_wal()");
            pair.onSource("CHECKPOINT");
        }
        assertThat(slotLost(pair)).as("wal_status of the pipeline's slot").isTrue();

        Path config = pair.writeConfig(yaml);
        OverlapProcess restart = OverlapProcess.start(Map.of(DatabasePair.PASSWORD_VARIABLE, SOURCE.superuserPassword()),
                "run", "--config", config.toString());
        assertThat(restart.waitFor()).as(restart.stderr()).isEqualTo(2);
        assertThat(restart.stderr().lines().filter(line -> line.startsWith("overlap: "))).as(restart.stderr()).hasSize(1);
        assertThat(restart.stderr()).doesNotContain("Exception");
        assertThat(restart.stderr()).contains("replication slot overlap_" + pair.name + " was invalidated (wal_status lost,"
                + " max_slot_wal_keep_size)").contains("To start over with a fresh initial copy: SELECT pg_drop_replication_slot(");
    }

    @Test
    void aStreamASilentPartitionCutOffIsTakenForDeadAndTheRestartResumes() throws Exception {
        DatabasePair pair = DatabasePair.create("srcsilent", SOURCE, Servers.target());
        pair.onBoth("CREATE TABLE orders (id int PRIMARY KEY, note text NOT NULL)");
        URI server = URI.create(SOURCE.jdbcUrl(pair.name).substring("jdbc:".length()));
        try (TcpProxy proxy = new TcpProxy(server.getHost(), server.getPort())) {
            Path config = pair.writeConfig(pair.configYaml().replace(SOURCE.jdbcUrl(pair.name),
                    "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + pair.name));
            Map<String, String> env = Map.of(DatabasePair.PASSWORD_VARIABLE, SOURCE.superuserPassword());
            OverlapProcess daemon = OverlapProcess.start(env, "run", "--config", config.toString());
            // the stream is connected: the connector wrote an offset of its own
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> UniqueKeysCheck.streamingOffset(pair));
            pair.onSource("INSERT INTO orders VALUES (1, 'before')");
            pair.awaitIdentical(Duration.ofSeconds(60));

            // the stream's connection (and the others open now) lose their path without a reset; the source ends its
            // walsender after wal_sender_timeout, and the daemon is left waiting on a connection nothing arrives on
            proxy.partition();
            pair.onSource("INSERT INTO orders VALUES (2, 'during the partition')");
            assertThat(daemon.waitFor()).as(daemon.stderr()).isEqualTo(1);
            assertThat(daemon.stderr()).contains("its connection is taken for dead (a silent network partition)");

            OverlapProcess restart = OverlapProcess.start(env, "run", "--config", config.toString());
            try {
                pair.awaitIdentical(Duration.ofSeconds(60));
            } finally {
                assertThat(restart.terminate()).as(restart.stderr()).isZero();
            }
        }
    }

    private static boolean slotLost(DatabasePair pair) throws Exception {
        try (Connection c = pair.source(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'overlap_" + pair.name + "'")) {
            return rs.next() && "lost".equals(rs.getString(1));
        }
    }

    private static double metric(String url, String name) throws Exception {
        String scrape = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*} (\\S+)$").matcher(scrape);
        if (!m.find()) {
            throw new IllegalStateException(name + " is not in the scrape");
        }
        return Double.parseDouble(m.group(1));
    }
}
