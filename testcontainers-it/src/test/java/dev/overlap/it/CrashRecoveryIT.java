package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The daemon as a separate JVM, killed with SIGKILL while the source takes writes, restarted, killed
 * again: the target ends identical to the source, with no row lost and none duplicated, also in a
 * table without a primary key (where a replayed insert would show as a duplicate). SIGTERM then stops
 * the daemon with exit code 0.
 */
class CrashRecoveryIT {

    @Test
    void killedDaemonResumesWithNothingLostOrDuplicated() throws Exception {
        DatabasePair pair = DatabasePair.create("crash");
        pair.onBoth("""
                CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL, updated_at timestamp(6));
                CREATE TABLE history (account int, delta int, at timestamp(6));
                """);
        pair.onSource("ALTER TABLE history REPLICA IDENTITY FULL;"
                + " INSERT INTO accounts SELECT i, 0, NULL FROM generate_series(1, 20000) i");
        Path config = pair.writeConfig(pair.configYaml("apply:", "  max-batch-rows: 500"));
        Map<String, String> env = Map.of(DatabasePair.PASSWORD_VARIABLE, pair.sourceServer.superuserPassword());

        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService writers = Executors.newFixedThreadPool(2);
        for (int i = 0; i < 2; i++) {
            writers.execute(() -> transfer(pair, writing));
        }
        try {
            OverlapProcess daemon = OverlapProcess.start(env, "run", "--config", config.toString());
            Thread.sleep(3000);
            daemon.kill();

            for (int crash = 0; crash < 2; crash++) {
                daemon = OverlapProcess.start(env, "run", "--config", config.toString());
                long applied = count(pair.target(), "history");
                OverlapProcess running = daemon;
                await().atMost(Duration.ofSeconds(60)).until(() -> !running.alive() || count(pair.target(), "history") > applied + 500);
                assertThat(daemon.alive()).as("daemon alive; stderr: %s", daemon.stderr()).isTrue();
                daemon.kill();
            }

            daemon = OverlapProcess.start(env, "run", "--config", config.toString());
            Thread.sleep(2000);
            writing.set(false);
            writers.shutdown();
            assertThat(writers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

            Map<String, List<String>> rows = pair.awaitIdentical(Duration.ofSeconds(90));
            assertThat(rows.get("public.history")).hasSizeGreaterThan(1000);
            assertThat(daemon.terminate()).as("exit code after SIGTERM; stderr: %s", daemon.stderr()).isZero();
        } finally {
            writing.set(false);
            writers.shutdownNow();
        }
    }

    /** A TPC-B-like transfer: move an amount between two accounts and log both legs in history. */
    private static void transfer(DatabasePair pair, AtomicBoolean writing) {
        try (Connection c = pair.source()) {
            c.setAutoCommit(false);
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE accounts SET balance = balance + ?, updated_at = clock_timestamp() WHERE id = ?");
                 PreparedStatement log = c.prepareStatement("INSERT INTO history VALUES (?, ?, clock_timestamp())")) {
                while (writing.get()) {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    int from = 1 + random.nextInt(20000);
                    int to = 1 + random.nextInt(20000);
                    int amount = 1 + random.nextInt(100);
                    for (int[] leg : new int[][] {{from, -amount}, {to, amount}}) {
                        update.setInt(1, leg[1]);
                        update.setInt(2, leg[0]);
                        update.executeUpdate();
                        log.setInt(1, leg[0]);
                        log.setInt(2, leg[1]);
                        log.executeUpdate();
                    }
                    c.commit();
                }
            }
        } catch (SQLException e) {
            if (!e.getSQLState().equals("40P01")) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static long count(Connection connection, String table) throws SQLException {
        try (connection; Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
