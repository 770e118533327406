package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * {@code overlap promote} against a daemon process on real servers: a writer keeps writing through
 * the cutover (every write the source accepted is on the target, none is accepted after the freeze,
 * sequences continue on the target), a wrong token changes nothing, and faults before OPEN_TARGET
 * (a verification difference, a catch-up timeout, the target refusing connections or silent, the
 * daemon killed) leave the source writable with nothing lost and exit 4. The tests of faults in the catch-up verify
 * with {@code counts}: the default {@code exact} would meet the fault in its pass before the freeze, which aborts as
 * well but tests nothing of the catch-up.
 */
class PromoteIT {
    private static final String TOKEN_VARIABLE = "OVERLAP_ADMIN_TOKEN";
    private static final String TOKEN = "promote-token-" + ProcessHandle.current().pid();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<String> concat(String first, String... rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(rest));
        return all;
    }

    /** A pair with a schema, an application role, and a running daemon. */
    private static final class Cutover {
        final DatabasePair pair;
        final String appRole;
        final Path config;
        final Map<String, String> env;
        final int port;
        /** The proxy the daemon reaches the target through, or {@code null} when it connects directly. */
        final TcpProxy targetProxy;
        OverlapProcess daemon;

        Cutover(String name, String... promoteLines) throws Exception {
            this(name, false, promoteLines);
        }

        /** @param proxyTarget whether the daemon reaches the target through a {@link TcpProxy} the test can cut */
        Cutover(String name, boolean proxyTarget, String... promoteLines) throws Exception {
            pair = DatabasePair.create(name);
            pair.onBoth("""
                    CREATE TABLE orders (id bigserial PRIMARY KEY, note text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
                    CREATE SEQUENCE invoice_no START 1000;
                    """);
            appRole = "app_" + pair.name;
            pair.onSource("CREATE ROLE " + appRole + " LOGIN; GRANT SELECT, INSERT, UPDATE, DELETE ON orders TO " + appRole
                    + "; GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " + appRole);
            pair.onSource("INSERT INTO orders (note) SELECT 'seed ' || i FROM generate_series(1, 500) i; SELECT nextval('invoice_no')");
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            }
            List<String> extra = new ArrayList<>(List.of("admin:", "  token: ${env:" + TOKEN_VARIABLE + "}"));
            extra.addAll(PromotingDaemon.forwardOnlyUnlessSaid(concat("promote:", promoteLines)));
            String[] lines = extra.toArray(String[]::new);
            targetProxy = proxyTarget ? pair.proxyToTarget() : null;
            String yaml = proxyTarget ? pair.configYaml(targetProxy, lines) : pair.configYaml(lines);
            config = pair.writeConfig(yaml.replace("listen: 127.0.0.1:0", "listen: 127.0.0.1:" + port));
            env = Map.of(DatabasePair.PASSWORD_VARIABLE, pair.sourceServer.superuserPassword(), TOKEN_VARIABLE, TOKEN);
        }

        void startDaemon() throws Exception {
            daemon = OverlapProcess.start(env, "run", "--config", config.toString());
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> health() == 200);
        }

        int health() throws Exception {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode();
        }

        OverlapProcess promote(Map<String, String> environment, String... options) throws Exception {
            List<String> args = new ArrayList<>(List.of("promote", "--config", config.toString(), "--json"));
            args.addAll(List.of(options));
            return OverlapProcess.start(environment, args.toArray(String[]::new));
        }

        Connection app() throws SQLException {
            return DriverManager.getConnection(pair.sourceServer.jdbcUrl(pair.name), appRole, "app");
        }

        /** Locks orders on the target and writes one row on the source, so the apply waits until the lock's rollback. */
        Connection blockApply() throws SQLException {
            Connection lock = pair.target();
            lock.setAutoCommit(false);
            try (Statement st = lock.createStatement()) {
                st.execute("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
            }
            try (Connection app = app(); Statement st = app.createStatement()) {
                st.executeUpdate("INSERT INTO orders (note) VALUES ('blocked on the target')");
            }
            return lock;
        }

        boolean sourceWritable() {
            try (Connection c = app(); Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO orders (note) VALUES ('writable?')");
                return true;
            } catch (SQLException e) {
                return false;
            }
        }
    }

    /** Inserts orders as the application role, reconnecting after every failure, and records each acknowledged commit. */
    private static final class Writer implements Runnable {
        record Ack(long id, Instant at) {
        }

        final Cutover cutover;
        final AtomicBoolean running = new AtomicBoolean(true);
        final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
        final Thread thread = new Thread(this, "writer");

        Writer(Cutover cutover) {
            this.cutover = cutover;
            thread.start();
        }

        @Override
        public void run() {
            while (running.get()) {
                try (Connection c = cutover.app();
                     PreparedStatement ps = c.prepareStatement("INSERT INTO orders (note) VALUES ('live') RETURNING id")) {
                    while (running.get()) {
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            acks.add(new Ack(rs.getLong(1), Instant.now()));
                        }
                        Thread.sleep(2);
                    }
                } catch (SQLException e) {
                    sleep();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private static void sleep() {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }
    }

    private static List<Long> targetIds(DatabasePair pair) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (Connection c = pair.target(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id FROM orders")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    private static long single(Connection connection, String sql) throws SQLException {
        try (connection; Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void writerKeepsWritingThroughPromoteAndNothingIsLost() throws Exception {
        Cutover cutover = new Cutover("promote");
        cutover.startDaemon();
        Writer writer = new Writer(cutover);
        Thread.sleep(2000);

        OverlapProcess promote = cutover.promote(cutover.env);
        int exit = promote.waitFor();
        Thread.sleep(500);
        writer.stop();

        assertThat(exit).as("promote exit; stdout %s stderr %s", promote.stdout(), promote.stderr()).isZero();
        JsonNode report = JSON.readTree(promote.stdout());
        assertThat(report.path("outcome").asText()).isEqualTo("promoted");
        List<String> states = new ArrayList<>();
        report.path("steps").forEach(step -> states.add(step.path("state").asText()));
        assertThat(states).containsExactly("PRECHECK", "VERIFY_LIVE", "FREEZE_SOURCE", "FENCE", "CATCH_UP", "VERIFY", "FIX_SEQUENCES",
                "STOP_STREAM", "OPEN_TARGET", "PROMOTED");
        assertThat(report.path("write_downtime_ms").asLong()).isPositive();
        Instant frozenAt = Instant.parse(report.path("frozen_at").asText());

        List<Writer.Ack> acks = new ArrayList<>(writer.acks);
        assertThat(acks).as("writes acknowledged before the freeze").hasSizeGreaterThan(50);
        assertThat(acks).as("no write acknowledged after the freeze").allSatisfy(ack ->
                assertThat(ack.at()).isBefore(frozenAt.plusMillis(50)));
        assertThat(targetIds(cutover.pair)).containsAll(acks.stream().map(Writer.Ack::id).toList());
        assertThat(cutover.sourceWritable()).as("source accepts writes after promote").isFalse();

        long maxId = single(cutover.pair.target(), "SELECT max(id) FROM orders");
        assertThat(single(cutover.pair.target(), "INSERT INTO orders (note) VALUES ('on the new master') RETURNING id"))
                .isGreaterThan(maxId);
        assertThat(single(cutover.pair.target(), "SELECT nextval('invoice_no')")).isEqualTo(1001);
        assertThat(single(cutover.pair.source(), "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'overlap_"
                + cutover.pair.name + "'")).isZero();
        assertThat(cutover.daemon.waitFor()).as("daemon exits after promote").isZero();

        OverlapProcess again = cutover.promote(cutover.env);
        assertThat(again.waitFor()).isZero();
        assertThat(JSON.readTree(again.stdout()).path("outcome").asText()).isEqualTo("promoted");
    }

    @Test
    void dryRunMeasuresTheDowntimeAndChangesNothing() throws Exception {
        Cutover cutover = new Cutover("promotedry");
        cutover.startDaemon();
        try {
            OverlapProcess promote = cutover.promote(cutover.env, "--dry-run");
            assertThat(promote.waitFor()).as(promote.stderr()).isZero();
            JsonNode report = JSON.readTree(promote.stdout());
            assertThat(report.path("outcome").asText()).isEqualTo("dry_run");
            assertThat(report.path("expected_write_downtime_ms").isNumber()).isTrue();
            assertThat(report.has("frozen_at")).isFalse();
            assertThat(cutover.sourceWritable()).isTrue();
            assertThat(cutover.health()).isEqualTo(200);
        } finally {
            cutover.daemon.terminate();
        }
    }

    @Test
    void wrongTokenIsRefusedAndNothingChanges() throws Exception {
        Cutover cutover = new Cutover("promotetoken");
        cutover.startDaemon();
        try {
            OverlapProcess promote = cutover.promote(Map.of(DatabasePair.PASSWORD_VARIABLE, cutover.pair.sourceServer.superuserPassword(),
                    TOKEN_VARIABLE, "not-the-token"));
            assertThat(promote.waitFor()).isEqualTo(2);
            assertThat(promote.stderr()).contains("refused admin.token").doesNotContain("not-the-token");
            assertThat(cutover.sourceWritable()).isTrue();
            assertThat(cutover.health()).isEqualTo(200);
        } finally {
            cutover.daemon.terminate();
        }
    }

    /**
     * A row changed on the target by someone else (a WordPress draft whose date was edited on the new host): the
     * counts agree, so {@code verify: counts} promoted; the default {@code exact} finds it in VERIFY_LIVE, before
     * anything is frozen, and names its key.
     */
    @Test
    void rowChangedOnTheTargetAbortsBeforeTheFreezeWithItsKeyNamed() throws Exception {
        Cutover cutover = new Cutover("promoteverify");
        cutover.startDaemon();
        try {
            cutover.pair.awaitIdentical(Duration.ofSeconds(30));
            DatabasePair.execute(cutover.pair.target(), "UPDATE orders SET created_at = created_at - interval '1 day' WHERE id = 7");

            OverlapProcess promote = cutover.promote(cutover.env);
            assertThat(promote.waitFor()).as(promote.stderr()).isEqualTo(4);
            JsonNode report = JSON.readTree(promote.stdout());
            assertThat(report.path("outcome").asText()).isEqualTo("aborted");
            assertThat(report.path("state").asText()).isEqualTo("VERIFY_LIVE");
            assertThat(report.path("error").asText()).contains("public.orders: 0 missing, 0 extra, 1 different rows (different {id=7})");
            assertThat(report.has("frozen_at")).as("nothing was frozen").isFalse();
            assertThat(cutover.daemon.stdout() + cutover.daemon.stderr()).as("the log names no key")
                    .contains("1 different rows; the promote report names the rows").doesNotContain("{id=7}");
            assertThat(cutover.sourceWritable()).isTrue();
            await().atMost(Duration.ofSeconds(15)).until(() -> cutover.health() == 200);
        } finally {
            cutover.daemon.terminate();
        }
    }

    /**
     * The dry run's pass is the baseline; the stream then changes row 9 and someone changes it on the target after
     * that. The promote keeps the baseline (no new pass) and re-checks only the changed rows while frozen: row 9
     * differs, so it aborts in VERIFY with the key named and the source writable again.
     */
    @Test
    void rowChangedSinceTheLivePassIsReCheckedWhileFrozen() throws Exception {
        Cutover cutover = new Cutover("promoteexact");
        cutover.startDaemon();
        try {
            cutover.pair.awaitIdentical(Duration.ofSeconds(30));
            OverlapProcess dryRun = cutover.promote(cutover.env, "--dry-run");
            assertThat(dryRun.waitFor()).as(dryRun.stderr()).isZero();
            JsonNode rehearsal = JSON.readTree(dryRun.stdout());
            assertThat(rehearsal.path("warnings").isMissingNode()).as(dryRun.stdout()).isTrue();

            try (Connection app = cutover.app(); Statement st = app.createStatement()) {
                st.executeUpdate("UPDATE orders SET note = 'changed on the source' WHERE id = 9");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> single(cutover.pair.target(),
                    "SELECT count(*) FROM orders WHERE id = 9 AND note = 'changed on the source'") == 1);
            DatabasePair.execute(cutover.pair.target(), "UPDATE orders SET note = 'changed on the target' WHERE id = 9");

            OverlapProcess promote = cutover.promote(cutover.env);
            assertThat(promote.waitFor()).as(promote.stdout()).isEqualTo(4);
            JsonNode report = JSON.readTree(promote.stdout());
            assertThat(report.path("state").asText()).as(promote.stdout()).isEqualTo("VERIFY");
            assertThat(report.path("error").asText()).contains("public.orders: 1 rows differ (different {id=9})");
            assertThat(cutover.sourceWritable()).isTrue();
            await().atMost(Duration.ofSeconds(15)).until(() -> cutover.health() == 200);
        } finally {
            cutover.daemon.terminate();
        }
    }

    @Test
    void lagAboveMaxLagIsWaitedOutBeforeTheFreeze() throws Exception {
        Cutover cutover = new Cutover("promotelagwait", "  max-lag: 2s", "  timeout: 60s");
        cutover.startDaemon();
        OverlapProcess promote;
        try (Connection lock = cutover.blockApply()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> cutover.health() == 503);
            promote = cutover.promote(cutover.env);
            Thread.sleep(3000);
            assertThat(promote.alive()).as("promote waits for the lag; stdout %s", promote.stdout()).isTrue();
            assertThat(cutover.sourceWritable()).as("the source is not frozen while PRECHECK waits for the lag").isTrue();
            lock.rollback();
        }
        try {
            assertThat(promote.waitFor()).as("promote; stdout %s stderr %s", promote.stdout(), promote.stderr()).isZero();
            assertThat(JSON.readTree(promote.stdout()).path("outcome").asText()).isEqualTo("promoted");
            cutover.pair.awaitIdentical(Duration.ofSeconds(30));
        } finally {
            cutover.daemon.terminate();
        }
    }

    @Test
    void catchUpTimeoutAbortsAndNothingIsLost() throws Exception {
        Cutover cutover = new Cutover("promotecatchup", "  max-lag: 60s", "  timeout: 3s", "  verify: counts");
        cutover.startDaemon();
        try (Connection lock = cutover.blockApply()) {
            OverlapProcess promote = cutover.promote(cutover.env);
            assertThat(promote.waitFor()).as(promote.stderr()).isEqualTo(4);
            JsonNode report = JSON.readTree(promote.stdout());
            assertThat(report.path("state").asText()).isEqualTo("CATCH_UP");
            assertThat(report.path("error").asText()).contains("did not apply the fence within promote.timeout 3 s");
            assertThat(cutover.sourceWritable()).isTrue();
            lock.rollback();
        }
        try {
            cutover.pair.awaitIdentical(Duration.ofSeconds(30));
        } finally {
            cutover.daemon.terminate();
        }
    }

    @Test
    void targetUnreachableDuringCatchUpAbortsAndStreamingRecovers() throws Exception {
        Cutover cutover = new Cutover("promoteunreachable", true, "  max-lag: 60s", "  timeout: 60s", "  verify: counts");
        try (TcpProxy targetProxy = cutover.targetProxy) {
            cutover.startDaemon();
            try (Connection lock = cutover.blockApply()) {
                OverlapProcess promote = cutover.promote(cutover.env);
                await().atMost(Duration.ofSeconds(30)).until(() -> cutover.daemon.stderr().contains("promote: CATCH_UP"));
                targetProxy.cut();

                assertThat(promote.waitFor()).as(promote.stderr()).isEqualTo(4);
                JsonNode report = JSON.readTree(promote.stdout());
                assertThat(report.path("outcome").asText()).isEqualTo("aborted");
                assertThat(report.path("state").asText()).isEqualTo("CATCH_UP");
                // "cannot connect" when the cut meets a login, "failed while catching up" when it meets a query
                assertThat(report.path("error").asText()).contains("target 127.0.0.1:" + targetProxy.port() + "/");
                assertThat(cutover.sourceWritable()).isTrue();
                targetProxy.restore();
                lock.rollback();
            }
            try {
                cutover.pair.awaitIdentical(Duration.ofSeconds(60));
                assertThat(cutover.daemon.alive()).as(cutover.daemon.stderr()).isTrue();
                OverlapProcess again = cutover.promote(cutover.env);
                assertThat(again.waitFor()).as(again.stdout() + again.stderr()).isZero();
                assertThat(JSON.readTree(again.stdout()).path("outcome").asText()).isEqualTo("promoted");
                assertThat(cutover.sourceWritable()).isFalse();
                assertThat(cutover.daemon.waitFor()).isZero();
            } finally {
                if (cutover.daemon.alive()) {
                    cutover.daemon.terminate();
                }
            }
        }
    }

    @Test
    void targetSilentDuringCatchUpAbortsWithinTheTimeout() throws Exception {
        Cutover cutover = new Cutover("promotesilent", true, "  max-lag: 60s", "  timeout: 5s", "  verify: counts");
        try (TcpProxy targetProxy = cutover.targetProxy) {
            cutover.startDaemon();
            try (Connection lock = cutover.blockApply()) {
                OverlapProcess promote = cutover.promote(cutover.env);
                await().atMost(Duration.ofSeconds(30)).until(() -> cutover.daemon.stderr().contains("promote: CATCH_UP"));
                targetProxy.stall();
                long stalledAt = System.nanoTime();

                assertThat(promote.waitFor()).as(promote.stderr()).isEqualTo(4);
                assertThat(Duration.ofNanos(System.nanoTime() - stalledAt)).as("abort after the 5 s call timeout")
                        .isLessThan(Duration.ofSeconds(30));
                JsonNode report = JSON.readTree(promote.stdout());
                assertThat(report.path("outcome").asText()).isEqualTo("aborted");
                assertThat(cutover.sourceWritable()).isTrue();
                targetProxy.resume();
                lock.rollback();
            }
            try {
                cutover.pair.awaitIdentical(Duration.ofSeconds(60));
            } finally {
                cutover.daemon.terminate();
            }
        }
    }

    @Test
    void daemonKilledDuringPromoteLeavesTheSourceWritable() throws Exception {
        Cutover cutover = new Cutover("promotekill", "  max-lag: 60s", "  timeout: 60s", "  verify: counts");
        cutover.startDaemon();
        try (Connection lock = cutover.blockApply()) {
            OverlapProcess promote = cutover.promote(cutover.env);
            await().atMost(Duration.ofSeconds(30)).until(() -> !cutover.sourceWritable());
            cutover.daemon.kill();

            assertThat(promote.waitFor()).as(promote.stderr()).isEqualTo(4);
            assertThat(promote.stderr()).contains("the source was frozen and is writable again");
            assertThat(cutover.sourceWritable()).isTrue();
            lock.rollback();
        }
        cutover.startDaemon();
        try {
            cutover.pair.awaitIdentical(Duration.ofSeconds(60));
        } finally {
            cutover.daemon.terminate();
        }
    }

    /**
     * Leaves what a daemon killed inside OPEN_TARGET leaves: the source frozen and the target's promotion record at
     * {@code opening}; the target read-only or not, as the test says.
     */
    private static void interruptedInOpenTarget(Cutover cutover, boolean targetStillReadOnly) throws Exception {
        cutover.pair.awaitIdentical(Duration.ofSeconds(60));
        cutover.daemon.kill();
        cutover.pair.onSource("ALTER DATABASE \"" + cutover.pair.name + "\" SET default_transaction_read_only = on");
        cutover.pair.onTarget("INSERT INTO overlap_promotions (pipeline, state, previous_read_only, report, updated_at)"
                + " VALUES ('" + cutover.pair.name + "', 'opening', NULL, NULL, now())");
        if (targetStillReadOnly) {
            cutover.pair.onTarget("ALTER DATABASE \"" + cutover.pair.name + "\" SET default_transaction_read_only = on");
        }
        assertThat(cutover.sourceWritable()).as("the application on the frozen source").isFalse();
    }

    @Test
    void daemonKilledInOpenTargetAfterTheTargetOpenedCompletesThePromoteAndKeepsTheSourceFrozen() throws Exception {
        Cutover cutover = new Cutover("promoteopened");
        cutover.startDaemon();
        interruptedInOpenTarget(cutover, false);

        OverlapProcess restart = OverlapProcess.start(cutover.env, "run", "--config", cutover.config.toString());
        assertThat(restart.waitFor()).as(restart.stderr()).isEqualTo(2);
        assertThat(restart.stderr()).contains("was promoted: the target is the master now");
        assertThat(cutover.sourceWritable()).as("two writable masters").isFalse();
        assertThat(single(cutover.pair.source(), "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'overlap_"
                + cutover.pair.name + "'")).as("the slot, which would keep WAL on the old host").isZero();

        OverlapProcess promote = cutover.promote(cutover.env);
        assertThat(promote.waitFor()).as(promote.stderr()).isZero();
        JsonNode report = JSON.readTree(promote.stdout());
        assertThat(report.path("outcome").asText()).isEqualTo("promoted");
        assertThat(report.path("warnings").toString()).contains("the daemon ended during OPEN_TARGET; the target had opened");
        // from another database: a session in the read-only one cannot lift it
        DatabasePair.execute(cutover.pair.sourceServer.connect("postgres"),
                "ALTER DATABASE \"" + cutover.pair.name + "\" RESET default_transaction_read_only");
    }

    @Test
    void daemonKilledInOpenTargetBeforeTheTargetOpenedReturnsTheSourceToWritable() throws Exception {
        Cutover cutover = new Cutover("promotenotopened");
        cutover.startDaemon();
        interruptedInOpenTarget(cutover, true);

        // the next start reads the target as still read-only: the source takes writes again, and the daemon streams
        // into the read-only target database as before the promote
        cutover.startDaemon();
        try {
            assertThat(cutover.sourceWritable()).isTrue();
            assertThat(single(cutover.pair.target(), "SELECT count(*) FROM overlap_promotions")).isZero();
            cutover.pair.awaitIdentical(Duration.ofSeconds(60));
        } finally {
            assertThat(cutover.daemon.terminate()).as(cutover.daemon.stderr()).isZero();
            DatabasePair.execute(cutover.pair.targetServer.connect("postgres"),
                    "ALTER DATABASE \"" + cutover.pair.name + "\" RESET default_transaction_read_only");
        }
    }

    @Test
    void openTargetThatFailsWithTheTargetStillReadOnlyReturnsTheSourceToWritable() throws Exception {
        Cutover cutover = new Cutover("promoteopenfail", "  max-lag: 60s", "  timeout: 5s", "  verify: counts");
        String alter = "ALTER DATABASE \"" + cutover.pair.name + "\" ";
        // the new host is kept read-only for the application until promote opens it
        DatabasePair.execute(cutover.pair.targetServer.connect("postgres"), alter + "SET default_transaction_read_only = on");
        cutover.startDaemon();
        try (Connection blocker = cutover.pair.targetServer.connect("postgres"); Statement st = blocker.createStatement()) {
            cutover.pair.awaitIdentical(Duration.ofSeconds(60));
            // another session's uncommitted change of the same database settings: OPEN_TARGET waits for it past the timeout
            blocker.setAutoCommit(false);
            st.execute(alter + "SET work_mem = '8MB'");
            OverlapProcess promote = cutover.promote(cutover.env);
            assertThat(promote.waitFor()).as(promote.stderr()).isEqualTo(4);
            JsonNode report = JSON.readTree(promote.stdout());
            assertThat(report.path("outcome").asText()).as(promote.stderr() + cutover.daemon.stderr()).isEqualTo("aborted");
            assertThat(report.path("state").asText()).isEqualTo("OPEN_TARGET");
            assertThat(cutover.sourceWritable()).as("the source, with the target certainly closed").isTrue();
            // its stream stopped for the cutover, the daemon exits for a restart
            assertThat(cutover.daemon.waitFor()).as(cutover.daemon.stderr()).isEqualTo(1);
            blocker.rollback();
        }
        cutover.startDaemon();
        try {
            cutover.pair.awaitIdentical(Duration.ofSeconds(60));
        } finally {
            assertThat(cutover.daemon.terminate()).as(cutover.daemon.stderr()).isZero();
            DatabasePair.execute(cutover.pair.targetServer.connect("postgres"), alter + "RESET default_transaction_read_only");
        }
    }
}
