package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.overlap.replicator.pipeline.Pipeline;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * The lag monitor on real servers: heartbeat lag while idle and while the apply is blocked, /health,
 * counters against the rows written, the exposition format (checked by promtool), a real Prometheus
 * scraping the daemon, and {@code overlap status} against a daemon process, with no secret in any output; {@code /status}
 * needs the admin token, {@code /metrics} does not.
 */
class LagMonitorIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String base(Pipeline pipeline) {
        return "http://127.0.0.1:" + pipeline.httpAddress().getPort();
    }

    /** @return the value of the one sample of {@code name} whose labels contain all of {@code labels} */
    private static double metric(String scrape, String name, String... labels) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(name + "{") && List.of(labels).stream().allMatch(line::contains)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void idleLagStaysBelowTwoSecondsAndHealthIsGreen() throws Exception {
        DatabasePair pair = DatabasePair.create("lagidle");
        pair.onBoth("CREATE TABLE t (id int PRIMARY KEY)");
        try (Pipeline pipeline = pair.startPipeline()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> get(base(pipeline) + "/health").statusCode() == 200);
            List<Double> samples = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                samples.add(metric(get(base(pipeline) + "/metrics").body(), "overlap_replication_lag_seconds"));
                Thread.sleep(250);
            }
            assertThat(samples).allSatisfy(lag -> assertThat(lag).isBetween(0.0, 2.0));
            assertThat(get(base(pipeline) + "/health").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void blockedApplyRaisesLagPastTheThresholdThenRecovers() throws Exception {
        DatabasePair pair = DatabasePair.create("laglock");
        pair.onBoth("CREATE TABLE t (id int PRIMARY KEY, v text)");
        try (Pipeline pipeline = pair.startPipeline("promote:", "  max-lag: 2s")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> get(base(pipeline) + "/health").statusCode() == 200);
            try (Connection lock = pair.target()) {
                lock.setAutoCommit(false);
                try (Statement st = lock.createStatement()) {
                    st.execute("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
                }
                pair.onSource("INSERT INTO t VALUES (1, 'blocked')");
                await().atMost(Duration.ofSeconds(15)).until(() -> pipeline.lag().lagSeconds() > 2.0);
                assertThat(get(base(pipeline) + "/health").statusCode()).isEqualTo(503);
                assertThat(metric(get(base(pipeline) + "/metrics").body(), "overlap_replication_lag_seconds")).isGreaterThan(2.0);
                lock.rollback();
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> get(base(pipeline) + "/health").statusCode() == 200);
            assertThat(pipeline.lag().lagSeconds()).isLessThan(2.0);
            pair.awaitIdentical(Duration.ofSeconds(30));
        }
    }

    @Test
    void countersEqualTheRowsAppliedAndTheExpositionParses() throws Exception {
        DatabasePair pair = DatabasePair.create("lagcount");
        pair.onBoth("CREATE TABLE t (id int PRIMARY KEY, v int)");
        pair.onSource("INSERT INTO t SELECT i, 0 FROM generate_series(1, 250) i");
        try (Pipeline pipeline = pair.startPipeline()) {
            pair.awaitIdentical(Duration.ofSeconds(30));
            pair.onSource("INSERT INTO t SELECT i, 0 FROM generate_series(251, 1484) i");
            pair.onSource("UPDATE t SET v = 1 WHERE id <= 100");
            pair.onSource("DELETE FROM t WHERE id > 1474");
            pair.awaitIdentical(Duration.ofSeconds(30));

            String scrape = get(base(pipeline) + "/metrics").body();
            String table = "table=\"public.t\"";
            assertThat(metric(scrape, "overlap_events_applied_total", table, "op=\"r\"")).isEqualTo(250);
            assertThat(metric(scrape, "overlap_snapshot_rows_total", table)).isEqualTo(250);
            assertThat(metric(scrape, "overlap_events_applied_total", table, "op=\"c\"")).isEqualTo(1234);
            assertThat(metric(scrape, "overlap_events_applied_total", table, "op=\"u\"")).isEqualTo(100);
            assertThat(metric(scrape, "overlap_events_applied_total", table, "op=\"d\"")).isEqualTo(10);
            assertThat(metric(scrape, "overlap_state", "state=\"streaming\"")).isEqualTo(1);
            assertThat(scrape).contains("overlap_apply_batch_seconds_bucket{", "overlap_source_backlog_bytes{",
                    "jvm_memory_used_bytes{", "hikaricp_connections{");

            PrometheusTools.Result check = PrometheusTools.exec(scrape, PrometheusTools.binary("promtool"), "check", "metrics");
            assertThat(check.exit()).as(check.output()).isZero();
        }
    }

    @Test
    void prometheusScrapesTheDaemonAndServesItsLag() throws Exception {
        String prometheus = PrometheusTools.binary("prometheus");
        DatabasePair pair = DatabasePair.create("lagprom");
        pair.onBoth("CREATE TABLE t (id int PRIMARY KEY)");
        try (Pipeline pipeline = pair.startPipeline()) {
            Path dir = Files.createTempDirectory("prometheus");
            Files.writeString(dir.resolve("prometheus.yml"), """
                    global: {scrape_interval: 1s, evaluation_interval: 1s}
                    scrape_configs:
                      - job_name: overlap
                        static_configs: [{targets: ['127.0.0.1:%d']}]
                    """.formatted(pipeline.httpAddress().getPort()));
            int port = freePort();
            Process server = new ProcessBuilder(prometheus, "--config.file=" + dir.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            try {
                String query = "http://127.0.0.1:" + port + "/api/v1/query?query="
                        + URLEncoder.encode("overlap_replication_lag_seconds{pipeline=\"" + pair.name + "\"}", StandardCharsets.UTF_8);
                JsonNode result = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                        .until(() -> JSON.readTree(get(query).body()).path("data").path("result"), r -> r.size() == 1);
                double lag = Double.parseDouble(result.get(0).path("value").get(1).asText());
                assertThat(lag).isBetween(0.0, 2.0);
                assertThat(result.get(0).path("metric").path("job").asText()).isEqualTo("overlap");
            } finally {
                server.destroy();
                server.waitFor();
            }
        }
    }

    @Test
    void statusCommandReportsTheRunningDaemonWithoutSecrets() throws Exception {
        DatabasePair pair = DatabasePair.create("lagstatus");
        pair.onBoth("CREATE TABLE t (id int PRIMARY KEY)");
        boolean trusting = pair.sourceServer.superuserPassword().isEmpty();
        String password = trusting ? "canary-s3cret-4711" : pair.sourceServer.superuserPassword();
        String token = "status-token-" + ProcessHandle.current().pid();
        Map<String, String> env = Map.of(DatabasePair.PASSWORD_VARIABLE, password, "OVERLAP_ADMIN_TOKEN", token);
        int port = freePort();
        Path config = pair.writeConfig(pair.configYaml("admin:", "  token: ${env:OVERLAP_ADMIN_TOKEN}")
                .replace("listen: 127.0.0.1:0", "listen: 127.0.0.1:" + port));
        OverlapProcess daemon = OverlapProcess.start(env, "run", "--config", config.toString());
        try {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> get("http://127.0.0.1:" + port + "/health").statusCode() == 200);
            pair.onSource("INSERT INTO t SELECT generate_series(1, 100)");
            pair.awaitIdentical(Duration.ofSeconds(30));
            assertThat(get("http://127.0.0.1:" + port + "/status").statusCode()).as("/status without the token").isEqualTo(401);
            assertThat(get("http://127.0.0.1:" + port + "/metrics").statusCode()).as("/metrics stays open").isEqualTo(200);
            OverlapProcess wrongToken = OverlapProcess.start(Map.of(DatabasePair.PASSWORD_VARIABLE, password, "OVERLAP_ADMIN_TOKEN",
                    "not-" + token), "status", "--config", config.toString());
            assertThat(wrongToken.waitFor()).as(wrongToken.stderr()).isEqualTo(2);
            assertThat(wrongToken.stderr()).contains("the daemon refused admin.token (HTTP 401)");

            OverlapProcess human = OverlapProcess.start(env, "status", "--config", config.toString());
            assertThat(human.waitFor()).as(human.stderr()).isZero();
            assertThat(human.stdout()).contains("state      streaming (healthy)").containsPattern("lag        [01]\\.\\d{3} s");

            OverlapProcess json = OverlapProcess.start(env, "status", "--config", config.toString(), "--json");
            assertThat(json.waitFor()).isZero();
            JsonNode status = JSON.readTree(json.stdout());
            assertThat(status.path("state").asText()).isEqualTo("streaming");
            assertThat(status.path("events_applied").asLong()).isGreaterThanOrEqualTo(100);
            assertThat(status.path("lag_seconds").asDouble()).isBetween(0.0, 2.0);
            Matcher lsn = Pattern.compile("lsn [0-9A-F]+/[0-9A-F]+").matcher(status.path("position").asText());
            assertThat(lsn.matches()).as(status.path("position").asText()).isTrue();

            if (trusting) {
                String metrics = get("http://127.0.0.1:" + port + "/metrics").body();
                assertThat(List.of(metrics, json.stdout(), human.stdout(), daemon.stderr(), daemon.stdout()))
                        .allSatisfy(text -> assertThat(text).doesNotContain(password));
            }
        } finally {
            assertThat(daemon.terminate()).isZero();
        }
        OverlapProcess down = OverlapProcess.start(env, "status", "--config", config.toString());
        assertThat(down.waitFor()).isEqualTo(1);
        assertThat(down.stderr()).contains("no daemon answers at 127.0.0.1:" + port);
    }

    @Test
    void endpointsServeHttpsWithTheConfiguredCertificate() throws Exception {
        DatabasePair pair = DatabasePair.create("laghttps");
        pair.onBoth("CREATE TABLE t (id int PRIMARY KEY)");
        TestCertificates authority = TestCertificates.authority("overlap-https-ca");
        Path cert = authority.issue("daemon", List.of("localhost"), List.of());
        String token = "https-token-" + ProcessHandle.current().pid();
        Map<String, String> env = Map.of(DatabasePair.PASSWORD_VARIABLE, pair.sourceServer.superuserPassword(),
                "OVERLAP_ADMIN_TOKEN", token);
        int port = freePort();
        Path config = pair.writeConfig(pair.configYaml("admin:", "  token: ${env:OVERLAP_ADMIN_TOKEN}")
                .replace("listen: 127.0.0.1:0", "listen: 127.0.0.1:" + port + "\n  tls: {cert: " + cert + ", key: "
                        + authority.keyFile("daemon") + "}"));
        OverlapProcess daemon = OverlapProcess.start(env, "run", "--config", config.toString());
        try {
            // a client that trusts the test's CA, as Prometheus with tls_config.ca_file does
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            try (var in = Files.newInputStream(authority.caFile())) {
                trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagers.getTrustManagers(), null);
            HttpClient https = HttpClient.newBuilder().sslContext(context).build();
            URI metrics = URI.create("https://localhost:" + port + "/metrics");
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                    https.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            assertThat(https.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .contains("overlap_replication_lag_seconds");
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> get("http://127.0.0.1:" + port + "/metrics")))
                    .as("plain HTTP is not served").isInstanceOf(java.io.IOException.class);

            OverlapProcess status = OverlapProcess.start(env, "status", "--config", config.toString(), "--json");
            assertThat(status.waitFor()).as(status.stderr()).isZero();
            assertThat(JSON.readTree(status.stdout()).path("pipeline").asText()).isEqualTo(pair.name);
        } finally {
            assertThat(daemon.terminate()).as(daemon.stderr()).isZero();
        }
    }
}
