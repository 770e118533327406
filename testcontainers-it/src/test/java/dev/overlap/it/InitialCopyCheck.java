package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The initial copy (issue 13): several sessions on one consistent snapshot, a large table cut into key
 * ranges, a rate limit, progress in {@code /status} and the metrics, and a copy stopped by SIGTERM or
 * kill -9 started again, while the source takes writes the whole time. Afterwards the target holds
 * exactly the source's rows. Run per engine: {@link PostgresInitialCopyIT}, {@link MariaDbInitialCopyIT},
 * {@link MySqlInitialCopyIT}.
 */
abstract class InitialCopyCheck {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern COPY_SECONDS = Pattern.compile("initial copy finished: ([\\d,]+) rows in \\d+ tables in ([\\d.]+) s");
    private static final String TABLE = "(id bigint PRIMARY KEY, note varchar(100) NOT NULL, n int NOT NULL)";

    /** @return a new pair of databases on this engine's two servers */
    /** The admin token {@code /status} needs. */
    private static final String STATUS_TOKEN = "copy-status-" + ProcessHandle.current().pid();

    abstract DatabasePair pair(String prefix) throws Exception;

    /** @return the name under which {@link DatabasePair#snapshot} lists a table */
    abstract String listed(String table);

    /** @return SQL that fills {@code table} with rows 1..rows: {@code (i, 'row i', 0)} */
    abstract String fill(String table, int rows);

    /**
     * 450,000 rows are three key ranges, copied by two sessions at most 150,000 rows/s, while a writer
     * inserts, updates and deletes: every change is either in the snapshot or streamed after it.
     */
    @Test
    void largeTableIsCopiedInKeyRangesByTwoSessionsWhileTheSourceTakesWrites() throws Exception {
        DatabasePair pair = pair("copy_big");
        pair.onBoth("CREATE TABLE big " + TABLE);
        pair.onSource(fill("big", 450_000));
        int port = freePort();
        Path config = pair.writeConfig(pair.configYaml("snapshot:", "  threads: 2", "  max-rows-per-second: 150000",
                        "admin:", "  token: ${env:OVERLAP_ADMIN_TOKEN}")
                .replace("listen: 127.0.0.1:0", "listen: 127.0.0.1:" + port));
        AtomicBoolean writing = new AtomicBoolean(true);
        OverlapProcess daemon = OverlapProcess.start(env(pair), "run", "--config", config.toString());
        try {
            String status = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> get(port, "/status"), s -> s.contains("\"rows_estimated\""));
            assertThat(status).contains("\"state\":\"snapshotting\"");
            // from now on every write comes after the snapshot
            CompletableFuture<Long> writes = CompletableFuture.supplyAsync(() -> write(pair, "big", 450_000, writing));
            await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> UniqueKeysCheck.streamingOffset(pair));
            Thread.sleep(2_000);
            writing.set(false);
            assertThat(writes.get()).as("writes during the test").isGreaterThan(100);

            Map<String, List<String>> rows = pair.awaitIdentical(Duration.ofSeconds(90));
            assertThat(rows.get(listed("big")).size()).isBetween(440_000, 460_000);
            assertThat(count(pair, "SELECT COUNT(*) FROM overlap_copy_progress")).isZero();
            String metrics = get(port, "/metrics");
            assertThat(metric(metrics, "overlap_snapshot_rows_total")).isEqualTo(450_000);
            Matcher copied = COPY_SECONDS.matcher(daemon.stderr());
            assertThat(copied.find()).as("the copy's last line; stderr: %s", daemon.stderr()).isTrue();
            assertThat(copied.group(1)).isEqualTo("450,000");
            // the rate limit: 450,000 rows at 150,000 rows/s, after at most one second's burst
            assertThat(Double.parseDouble(copied.group(2))).isGreaterThanOrEqualTo(1.8);
            assertThat(daemon.terminate()).as("exit code after SIGTERM; stderr: %s", daemon.stderr()).isZero();
        } finally {
            writing.set(false);
            if (daemon.alive()) {
                daemon.kill();
            }
        }
    }

    /**
     * A copy of four tables, slowed down to 20,000 rows/s, is stopped by SIGTERM (exit 0), then killed with
     * SIGKILL after its first tables committed; the next start deletes the partial copy, copies again from
     * a new snapshot and streams: nothing lost, nothing doubled.
     */
    @Test
    void stoppedAndKilledCopiesStartAgainAndEndIdentical() throws Exception {
        DatabasePair pair = pair("copy_kill");
        for (int t = 1; t <= 4; t++) {
            pair.onBoth("CREATE TABLE part" + t + " " + TABLE);
            pair.onSource(fill("part" + t, 30_000));
        }
        Path slow = pair.writeConfig(pair.configYaml("snapshot:", "  threads: 1", "  max-rows-per-second: 20000"));
        AtomicBoolean writing = new AtomicBoolean(true);
        CompletableFuture<Long> writes = CompletableFuture.supplyAsync(() -> write(pair, "part1", 30_000, writing));
        try {
            OverlapProcess daemon = OverlapProcess.start(env(pair), "run", "--config", slow.toString());
            await().atMost(Duration.ofSeconds(60)).until(() -> daemon.stderr().contains("initial copy: 4 tables"));
            Thread.sleep(1_000);
            assertThat(daemon.terminate()).as("exit code after SIGTERM during the copy; stderr: %s", daemon.stderr()).isZero();
            assertThat(count(pair, "SELECT COUNT(*) FROM overlap_offsets")).isZero();

            OverlapProcess again = OverlapProcess.start(env(pair), "run", "--config", slow.toString());
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> count(pair, "SELECT COUNT(*) FROM overlap_copy_progress") >= 1);
            again.kill();
            assertThat(count(pair, "SELECT COUNT(*) FROM overlap_offsets")).isZero();

            Path fast = pair.writeConfig(pair.configYaml());
            OverlapProcess last = OverlapProcess.start(env(pair), "run", "--config", fast.toString());
            await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> UniqueKeysCheck.streamingOffset(pair));
            Thread.sleep(2_000);
            writing.set(false);
            assertThat(writes.get()).as("writes during the test").isGreaterThan(100);
            Map<String, List<String>> rows = pair.awaitIdentical(Duration.ofSeconds(90));
            for (int t = 2; t <= 4; t++) {
                assertThat(rows.get(listed("part" + t))).hasSize(30_000);
            }
            assertThat(last.stderr()).contains("was interrupted after");
            assertThat(last.terminate()).as("exit code after SIGTERM; stderr: %s", last.stderr()).isZero();
        } finally {
            writing.set(false);
        }
    }

    private static Map<String, String> env(DatabasePair pair) {
        return Map.of(DatabasePair.PASSWORD_VARIABLE, pair.sourceServer.superuserPassword(), "OVERLAP_ADMIN_TOKEN", STATUS_TOKEN);
    }

    /**
     * Small transactions until {@code writing} turns false: a new row above the filled ones, an update and
     * a delete of random filled rows.
     *
     * @return the transactions committed
     */
    private static long write(DatabasePair pair, String table, int filled, AtomicBoolean writing) {
        AtomicLong next = new AtomicLong(filled + 1);
        long done = 0;
        java.util.Random random = new java.util.Random(7);
        try (Connection c = pair.source()) {
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + table + " (id, note, n) VALUES (?, 'new', 0)");
                 PreparedStatement update = c.prepareStatement("UPDATE " + table + " SET n = n + 1, note = 'updated' WHERE id = ?");
                 PreparedStatement delete = c.prepareStatement("DELETE FROM " + table + " WHERE id = ?")) {
                while (writing.get()) {
                    insert.setLong(1, next.getAndIncrement());
                    insert.executeUpdate();
                    update.setLong(1, 1 + random.nextInt(filled));
                    update.executeUpdate();
                    delete.setLong(1, 1 + random.nextInt(filled));
                    delete.executeUpdate();
                    c.commit();
                    done++;
                    Thread.sleep(5);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("writer failed (SQLState " + e.getSQLState() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return done;
    }

    private static long count(DatabasePair pair, String sql) throws SQLException {
        try (Connection c = pair.target(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Authorization", "Bearer " + STATUS_TOKEN).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** @return the sum of the samples of a metric, all label sets */
    private static double metric(String scrape, String name) {
        return scrape.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
