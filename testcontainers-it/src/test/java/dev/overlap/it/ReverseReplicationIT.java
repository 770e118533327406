package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The way back after a cutover, on real servers ({@code promote.reverse}): an application keeps writing through promote,
 * then writes to the new host (which the daemon replicates back to the old one, through a kill -9 of the daemon), then
 * through {@code overlap rollback} and to the old host again. Afterwards every write either host acknowledged is on the
 * old host, the old host takes writes, the daemon replicates forward again without a new initial copy, a second
 * promote succeeds, and {@code overlap finish} then leaves none of Overlap's tables on either host.
 */
class ReverseReplicationIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Inserts as the application user into whichever host {@link #to} names, like an application behind a switch. */
    private static final class Application implements Runnable {
        final String user;
        final String password;
        volatile String url;
        final AtomicBoolean running = new AtomicBoolean(true);
        final ConcurrentLinkedQueue<Long> acks = new ConcurrentLinkedQueue<>();
        final Thread thread = new Thread(this, "application");
        final String insert;

        Application(String url, String user, String password, String insert) {
            this.url = url;
            this.user = user;
            this.password = password;
            this.insert = insert;
            thread.start();
        }

        void to(String newUrl) {
            url = newUrl;
        }

        @Override
        public void run() {
            while (running.get()) {
                String connectedTo = url;
                try (Connection c = DriverManager.getConnection(connectedTo, user, password);
                     PreparedStatement ps = c.prepareStatement(insert, Statement.RETURN_GENERATED_KEYS)) {
                    while (running.get() && connectedTo.equals(url)) {
                        ps.executeUpdate();
                        try (ResultSet keys = ps.getGeneratedKeys()) {
                            keys.next();
                            acks.add(keys.getLong(1));
                        }
                        Thread.sleep(5);
                    }
                } catch (SQLException e) {
                    pause();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private static void pause() {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        int acknowledged() {
            return acks.size();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }
    }

    @Test
    void postgresRollbackUnderWritesLosesNothingAndTheNextPromoteNeedsNoCopy() throws Exception {
        DatabasePair pair = DatabasePair.create("reverse");
        pair.onBoth("CREATE TABLE orders (id bigserial PRIMARY KEY, note text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())");
        String app = "app_" + pair.name;
        String grants = "CREATE ROLE " + app + " LOGIN PASSWORD 'app'; GRANT SELECT, INSERT ON orders TO " + app
                + "; GRANT USAGE ON SEQUENCE orders_id_seq TO " + app;
        pair.onSource(grants);
        pair.onTarget(grants);
        pair.onSource("INSERT INTO orders (note) SELECT 'seed ' || i FROM generate_series(1, 200) i");
        cycle(pair, app, "INSERT INTO orders (note) VALUES ('live')");
    }

    @Test
    void mariadbRollbackUnderWritesLosesNothingAndTheNextPromoteNeedsNoCopy() throws Exception {
        binlogCycle(DatabasePair.create("breverse", Servers.mariadbSource(), Servers.mariadbTarget()));
    }

    /** MySQL 8: the freeze keeps read_only without super_read_only, so the old host takes the reverse apply. */
    @Test
    void mysqlRollbackUnderWritesLosesNothingAndTheNextPromoteNeedsNoCopy() throws Exception {
        binlogCycle(DatabasePair.create("mreverse", Servers.mysqlSource(), Servers.mysqlTarget()));
    }

    private static void binlogCycle(DatabasePair pair) throws Exception {
        pair.onBoth("CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(100) NOT NULL)");
        String app = "app_" + pair.name;
        for (String sql : List.of("CREATE USER '" + app + "'@'%' IDENTIFIED BY 'app'",
                "GRANT SELECT, INSERT ON `" + pair.name + "`.orders TO '" + app + "'@'%'")) {
            pair.onSource(sql);
            pair.onTarget(sql);
        }
        pair.onSource("INSERT INTO orders (note) VALUES ('seed 1'), ('seed 2'), ('seed 3')");
        try {
            cycle(pair, app, "INSERT INTO orders (note) VALUES ('live')");
        } finally {
            for (Connection c : List.of(pair.source(), pair.target())) {
                DatabasePair.execute(c, pair.sourceServer.jdbcUrl("x").startsWith("jdbc:mysql")
                        ? "SET GLOBAL super_read_only = OFF, GLOBAL read_only = OFF" : "SET GLOBAL read_only = OFF");
            }
        }
    }

    /**
     * Faults in a rollback before the old host opens leave the new host writable: the daemon killed while the rollback
     * waits in CATCH_UP with the new host frozen (its fence cannot be applied: the same key is inserted uncommitted on
     * the old host) (the waiting {@code overlap rollback} finds the freeze and lifts it,
     * exit 4; the daemon's restart replicates back on), and a verification difference (a row deleted on the old host)
     * that aborts it.
     */
    @Test
    void postgresRollbackFaultsLeaveTheNewHostWritable() throws Exception {
        DatabasePair pair = DatabasePair.create("rollbackfault");
        pair.onBoth("CREATE TABLE orders (id bigserial PRIMARY KEY, note text NOT NULL)");
        String app = "app_" + pair.name;
        pair.onTarget("CREATE ROLE " + app + " LOGIN PASSWORD 'app'; GRANT SELECT, INSERT ON orders TO " + app
                + "; GRANT USAGE ON SEQUENCE orders_id_seq TO " + app);
        pair.onSource("INSERT INTO orders (note) SELECT 'seed ' || i FROM generate_series(1, 100) i");
        PromotingDaemon daemon = PromotingDaemon.start(pair, "promote:", "  reverse: true", "  verify: counts", "  max-lag: 60s",
                "  timeout: 60s");
        String newHost = pair.targetServer.jdbcUrl(pair.name);
        OverlapProcess running = daemon.process();
        try {
            OverlapProcess promote = daemon.promote();
            assertThat(promote.waitFor()).as("promote: %s", promote.stdout()).isZero();
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> health(daemon).startsWith("reverse streaming"));

            OverlapProcess rollback;
            try (Connection lock = pair.source(); Statement st = lock.createStatement()) {
                // the rollback's fence row, inserted uncommitted on the old host: its apply waits, so CATCH_UP does
                st.execute("SET default_transaction_read_only = off");
                lock.setAutoCommit(false);
                st.execute("INSERT INTO overlap_heartbeat (pipeline, ts) VALUES ('" + pair.name + "_reverse#fence', now())");
                insert(newHost, app);
                rollback = OverlapProcess.start(daemon.env(), "rollback", "--config", daemon.config().toString(), "--json");
                await().atMost(Duration.ofSeconds(30)).until(() -> !writable(newHost, app));
                Thread.sleep(500);
                running.kill();
                lock.rollback();
            }
            assertThat(rollback.waitFor()).as("rollback whose daemon died: %s %s", rollback.stdout(), rollback.stderr()).isEqualTo(4);
            assertThat(rollback.stderr()).contains("the source was frozen and is writable again");
            assertThat(writable(newHost, app)).as("the rollback command lifted the freeze the daemon left").isTrue();
            running = OverlapProcess.start(daemon.env(), "run", "--config", daemon.config().toString());
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> health(daemon).startsWith("reverse streaming"));

            pair.awaitIdentical(Duration.ofSeconds(30));
            try (Connection oldHost = pair.source(); Statement st = oldHost.createStatement()) {
                st.execute("SET default_transaction_read_only = off");
                st.execute("DELETE FROM orders WHERE id = 5");
            }
            OverlapProcess different = OverlapProcess.start(daemon.env(), "rollback", "--config", daemon.config().toString(), "--json");
            assertThat(different.waitFor()).as(different.stdout()).isEqualTo(4);
            JsonNode report = JSON.readTree(different.stdout());
            assertThat(report.path("state").asText()).isEqualTo("VERIFY");
            assertThat(writable(newHost, app)).as("the new host after the aborted rollback").isTrue();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> health(daemon).startsWith("reverse streaming"));
        } finally {
            if (running.alive()) {
                running.kill();
            }
            daemon.stop(pair);
        }
    }

    private static void insert(String url, String user) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, "app"); Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO orders (note) VALUES ('on the new host')");
        }
    }

    private static boolean writable(String url, String user) {
        try {
            insert(url, user);
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Promote under writes, writes to the new host through a kill -9 of the daemon, rollback under writes, writes to the
     * old host, then the checks and a second promote.
     */
    private static void cycle(DatabasePair pair, String app, String insert) throws Exception {
        PromotingDaemon daemon = PromotingDaemon.start(pair, "promote:", "  reverse: true");
        String oldHost = pair.sourceServer.jdbcUrl(pair.name);
        String newHost = pair.targetServer.jdbcUrl(pair.name);
        Application application = new Application(oldHost, app, "app", insert);
        OverlapProcess running = daemon.process();
        try {
            Thread.sleep(1500);
            OverlapProcess promote = daemon.promote();
            assertThat(promote.waitFor()).as("promote: %s %s", promote.stdout(), running.stderr()).isZero();
            assertThat(states(promote)).contains("PREPARE_REVERSE");
            application.to(newHost);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> health(daemon).startsWith("reverse streaming"));
            assertThat(running.alive()).as("the daemon goes on as the reverse direction").isTrue();
            int beforeKill = application.acknowledged();
            await().atMost(Duration.ofSeconds(20)).until(() -> application.acknowledged() > beforeKill + 100);

            running.kill();
            running = OverlapProcess.start(daemon.env(), "run", "--config", daemon.config().toString());
            OverlapProcess restarted = running;
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> health(daemon).startsWith("reverse streaming"));
            int afterRestart = application.acknowledged();
            await().atMost(Duration.ofSeconds(20)).until(() -> application.acknowledged() > afterRestart + 100);

            OverlapProcess rollback = OverlapProcess.start(daemon.env(), "rollback", "--config", daemon.config().toString(), "--json");
            assertThat(rollback.waitFor()).as("rollback: %s %s", rollback.stdout(), restarted.stderr()).isZero();
            JsonNode report = JSON.readTree(rollback.stdout());
            assertThat(report.path("outcome").asText()).isEqualTo("promoted");
            application.to(oldHost);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> health(daemon).startsWith("forward streaming"));
            int afterRollback = application.acknowledged();
            await().atMost(Duration.ofSeconds(20)).until(() -> application.acknowledged() > afterRollback + 50);
            application.stop();

            Set<Long> onOldHost = ids(pair.source());
            List<Long> acknowledged = new ArrayList<>(application.acks);
            assertThat(acknowledged).as("writes acknowledged by either host").hasSizeGreaterThan(300);
            assertThat(onOldHost).as("every acknowledged write is on the old host").containsAll(acknowledged);
            pair.awaitIdentical(Duration.ofSeconds(60));

            OverlapProcess again = daemon.promote();
            assertThat(again.waitFor()).as("second promote: %s %s", again.stdout(), restarted.stderr()).isZero();
            assertThat(JSON.readTree(again.stdout()).path("outcome").asText()).isEqualTo("promoted");

            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> health(daemon).startsWith("reverse streaming"));
            assertThat(running.terminate()).as("SIGTERM while replicating back").isZero();
            OverlapProcess finish = OverlapProcess.start(daemon.env(), "finish", "--config", daemon.config().toString(), "--json");
            assertThat(finish.waitFor()).as("finish: %s %s", finish.stdout(), finish.stderr()).isZero();
            for (Connection c : List.of(pair.source(), pair.target())) {
                assertThat(overlapTables(c)).as("Overlap's tables after finish; it removed %s", finish.stdout()).isZero();
            }
        } finally {
            application.stop();
            if (running.alive()) {
                running.kill();
            }
            daemon.stop(pair);
        }
    }

    /** @return how many of Overlap's tables the connection's database holds */
    private static long overlapTables(Connection connection) throws SQLException {
        boolean postgres = connection.getMetaData().getURL().startsWith("jdbc:postgresql");
        try (connection; Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(postgres
                ? "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'overlap%'"
                : "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 'overlap%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> states(OverlapProcess promote) throws Exception {
        List<String> states = new ArrayList<>();
        JSON.readTree(promote.stdout()).path("steps").forEach(s -> states.add(s.path("state").asText()));
        return states;
    }

    private static String health(PromotingDaemon daemon) throws Exception {
        String yaml = java.nio.file.Files.readString(daemon.config());
        String port = yaml.replaceAll("(?s).*listen: 127\\.0\\.0\\.1:(\\d+).*", "$1");
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? response.body() : "";
    }

    private static Set<Long> ids(Connection connection) throws SQLException {
        Set<Long> ids = new HashSet<>();
        try (connection; Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT id FROM orders")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }
}
