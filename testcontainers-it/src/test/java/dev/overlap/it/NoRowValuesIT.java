package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A row the target refuses (a unique index only the target has) stops the daemon with exit 1 and one line
 * naming the SQL state, the table, the key columns and the constraint; the row's values appear nowhere: not in
 * the logs, the failure record on the target, {@code /status} or the metrics of the next start.
 */
class NoRowValuesIT {
    private static final String VALUE = "leak-4711@example.com";
    private static final String TOKEN = "values-" + ProcessHandle.current().pid();

    @Test
    void postgresRefusedRowShowsNoValues() throws Exception {
        refusedRowShowsNoValues(DatabasePair.create("novalues"), "CREATE UNIQUE INDEX users_email_key ON users (email)");
    }

    @Test
    void mariadbRefusedRowShowsNoValues() throws Exception {
        refusedRowShowsNoValues(DatabasePair.create("novalues", Servers.mariadbSource(), Servers.mariadbTarget()),
                "CREATE UNIQUE INDEX users_email_key ON users (email)");
    }

    @Test
    void mysqlRefusedRowShowsNoValues() throws Exception {
        refusedRowShowsNoValues(DatabasePair.create("novalues", Servers.mysqlSource(), Servers.mysqlTarget()),
                "CREATE UNIQUE INDEX users_email_key ON users (email)");
    }

    private static void refusedRowShowsNoValues(DatabasePair pair, String targetOnlyIndex) throws Exception {
        pair.onBoth("CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(100) NOT NULL)");
        pair.onTarget(targetOnlyIndex);
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path config = pair.writeConfig(pair.configYaml("admin:", "  token: ${env:OVERLAP_ADMIN_TOKEN}")
                .replace("listen: 127.0.0.1:0", "listen: 127.0.0.1:" + port));
        Map<String, String> env = Map.of(DatabasePair.PASSWORD_VARIABLE, pair.sourceServer.superuserPassword(), "OVERLAP_ADMIN_TOKEN", TOKEN);
        OverlapProcess daemon = OverlapProcess.start(env, "run", "--config", config.toString());
        List<String> seen = new ArrayList<>();
        try {
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> UniqueKeysCheck.streamingOffset(pair));
            pair.onSource("INSERT INTO users VALUES (1, '" + VALUE + "')");
            pair.onSource("INSERT INTO users VALUES (2, '" + VALUE + "')");
            assertThat(daemon.waitFor()).as("exit code; stderr %s", daemon.stderr()).isEqualTo(1);
            assertThat(daemon.stderr() + daemon.stdout()).contains("SQLState 23").contains("users").contains("key id");
            seen.add(daemon.stderr());
            seen.add(daemon.stdout());
            try (Connection c = pair.target(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM overlap_failures")) {
                assertThat(rs.next()).as("the failure is recorded").isTrue();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    seen.add(String.valueOf(rs.getString(i)));
                }
            }

            daemon = OverlapProcess.start(env, "run", "--config", config.toString());
            HttpClient http = HttpClient.newHttpClient();
            URI status = URI.create("http://127.0.0.1:" + port + "/status");
            String body = await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> http.send(HttpRequest.newBuilder(status)
                    .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()).body(), b -> b.contains("state"));
            seen.add(body);
            seen.add(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            Thread.sleep(7_000);
            daemon.kill();
            seen.add(daemon.stderr());
            seen.add(daemon.stdout());
            assertThat(seen).allSatisfy(text -> assertThat(text).doesNotContain("leak-4711"));
        } finally {
            if (daemon.alive()) {
                daemon.kill();
            }
        }
    }
}
