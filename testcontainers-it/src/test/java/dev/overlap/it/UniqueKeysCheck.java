package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.overlap.replicator.pipeline.Pipeline;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Application transactions that free a unique value and reuse it (a user changes an e-mail and another
 * signs up with the old one, slugs and option names reused, two rows swapping values through a
 * temporary one) reach the target with nothing lost and no crash loop: the target sees the changes in
 * an order the source could have committed them.
 *
 * <p>Each scenario's writes are made while the pipeline is stopped, so that the restarted pipeline reads
 * them all in one batch (the case batching and coalescing get wrong), unless the scenario asks for one
 * change per batch. Run per engine: {@link PostgresUniqueKeysIT}, {@link MariaDbUniqueKeysIT},
 * {@link MariaDbLtsUniqueKeysIT}, {@link MySqlUniqueKeysIT}.
 */
abstract class UniqueKeysCheck {
    private static final Duration CATCH_UP = Duration.ofSeconds(60);

    /** @return a new pair of databases on this engine's two servers */
    abstract DatabasePair pair(String prefix) throws Exception;

    /** @return the name under which {@link DatabasePair#snapshot} lists a table */
    abstract String listed(String table);

    /** @return an application upsert into {@code two_uniques(id, a, b, n)} that conflicts on {@code a} */
    abstract String upsertOnA();

    /** @return the statement that drops index {@code name} of table {@code table} */
    abstract String dropIndex(String name, String table);

    private static final String USERS = "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100) NOT NULL UNIQUE,"
            + " name varchar(100))";

    /** The transaction: an e-mail freed and taken by a new user in the same transaction. */
    @Test
    void valueFreedAndReusedInOneTransaction() throws Exception {
        DatabasePair pair = pair("uq_tx");
        pair.onBoth(USERS);
        pair.onSource("INSERT INTO users VALUES (1, 'a', 'one')");
        try (Pipeline pipeline = pair.startPipeline()) {
            awaitStreaming(pair, pipeline);
        }
        transaction(pair, "UPDATE users SET email = 'b' WHERE id = 1", "INSERT INTO users VALUES (2, 'a', 'two')",
                "UPDATE users SET name = 'uno' WHERE id = 1");
        Map<String, List<String>> rows = replicate(pair);
        assertThat(rows.get(listed("users"))).hasSize(2);
    }

    /** The same moves in separate transactions that the restarted stream reads in one batch. */
    @Test
    void valueFreedAndReusedAcrossTransactionsOfOneBatch() throws Exception {
        DatabasePair pair = pair("uq_batch");
        pair.onBoth(USERS);
        pair.onSource("INSERT INTO users VALUES (1, 'a', 'one'), (3, 'c', 'three')");
        try (Pipeline pipeline = pair.startPipeline()) {
            awaitStreaming(pair, pipeline);
        }
        pair.onSource("UPDATE users SET email = 'b' WHERE id = 1");
        pair.onSource("INSERT INTO users VALUES (2, 'a', 'two')");
        pair.onSource("UPDATE users SET email = 'd' WHERE id = 3");
        pair.onSource("UPDATE users SET email = 'c' WHERE id = 2");
        pair.onSource("UPDATE users SET email = 'a', name = 'back' WHERE id = 3");
        pair.onSource("UPDATE users SET name = 'uno' WHERE id = 1");
        Map<String, List<String>> rows = replicate(pair);
        assertThat(rows.get(listed("users"))).hasSize(3);
    }

    /** One change per batch: the order holds across batches too. */
    @Test
    void valueFreedAndReusedAcrossBatches() throws Exception {
        DatabasePair pair = pair("uq_batches");
        pair.onBoth(USERS);
        pair.onSource("INSERT INTO users VALUES (1, 'a', 'one')");
        try (Pipeline pipeline = pair.startPipeline("apply:", "  max-batch-rows: 1")) {
            awaitStreaming(pair, pipeline);
            transaction(pair, "UPDATE users SET email = 'b' WHERE id = 1", "INSERT INTO users VALUES (2, 'a', 'two')",
                    "UPDATE users SET name = 'uno' WHERE id = 1");
            pair.onSource("UPDATE users SET email = 'z' WHERE id = 2");
            pair.onSource("UPDATE users SET email = 'a' WHERE id = 1");
            assertThat(awaitIdentical(pair, pipeline).get(listed("users"))).hasSize(2);
        }
    }

    /** Two rows swap their values in steps through a temporary value, in one transaction and in three. */
    @Test
    void rowsSwapValuesThroughATemporaryValue() throws Exception {
        DatabasePair pair = pair("uq_swap");
        pair.onBoth(USERS);
        pair.onSource("INSERT INTO users VALUES (1, 'a', 'one'), (2, 'b', 'two')");
        try (Pipeline pipeline = pair.startPipeline()) {
            awaitStreaming(pair, pipeline);
        }
        transaction(pair, "UPDATE users SET email = 'tmp' WHERE id = 1", "UPDATE users SET email = 'a' WHERE id = 2",
                "UPDATE users SET email = 'b' WHERE id = 1");
        pair.onSource("UPDATE users SET email = 'tmp' WHERE id = 2");
        pair.onSource("UPDATE users SET email = 'b' WHERE id = 1");
        pair.onSource("UPDATE users SET email = 'a' WHERE id = 2");
        Map<String, List<String>> rows = replicate(pair);
        assertThat(rows.get(listed("users"))).hasSize(2);
    }

    /** A row deleted and its unique value inserted again under a new primary key, and the old key reused. */
    @Test
    void valueDeletedAndReinsertedUnderANewKey() throws Exception {
        DatabasePair pair = pair("uq_reinsert");
        pair.onBoth(USERS);
        pair.onSource("INSERT INTO users VALUES (1, 'a', 'one'), (2, 'b', 'two')");
        try (Pipeline pipeline = pair.startPipeline()) {
            awaitStreaming(pair, pipeline);
        }
        transaction(pair, "DELETE FROM users WHERE id = 1", "INSERT INTO users VALUES (3, 'a', 'three')");
        pair.onSource("DELETE FROM users WHERE id = 2");
        pair.onSource("INSERT INTO users VALUES (1, 'b', 'one again')");
        pair.onSource("UPDATE users SET email = 'c' WHERE id = 3");
        pair.onSource("INSERT INTO users VALUES (4, 'a', 'four')");
        Map<String, List<String>> rows = replicate(pair);
        assertThat(rows.get(listed("users"))).hasSize(3);
    }

    /**
     * An upsert storm on a table with two unique indexes: inserts, updates, deletes and the application's
     * own upserts over a few values, so that values move between rows all the time; the statements the
     * source refuses are rolled back, as an application does. Written while the pipeline is stopped and
     * again while it runs.
     */
    @Test
    void upsertStormOnTwoUniqueIndexes() throws Exception {
        DatabasePair pair = pair("uq_storm");
        pair.onBoth("CREATE TABLE two_uniques (id int PRIMARY KEY, a int UNIQUE, b int UNIQUE, n int NOT NULL)");
        pair.onSource("INSERT INTO two_uniques VALUES (1, 1, 1, 0), (2, 2, 2, 0), (3, 3, 3, 0)");
        try (Pipeline pipeline = pair.startPipeline()) {
            awaitStreaming(pair, pipeline);
        }
        storm(pair, new Random(11), 400);
        try (Pipeline pipeline = pair.startPipeline()) {
            awaitIdentical(pair, pipeline);
            storm(pair, new Random(12), 400);
            assertThat(awaitIdentical(pair, pipeline).get(listed("two_uniques"))).isNotEmpty();
        }
    }

    /**
     * A unique index only the target has meets two source rows with the same value: the daemon stops with
     * exit code 1 and one line naming the table, its key and the SQL state, never the value; a restart waits
     * first and says so; once the index is dropped, the next start (waiting longer) replicates everything.
     */
    @Test
    void aUniqueIndexOnlyTheTargetHasStopsTheDaemonAndRestartsBackOff() throws Exception {
        DatabasePair pair = pair("uq_target");
        pair.onSource("CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100) NOT NULL, name varchar(100))");
        pair.onTarget("CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100) NOT NULL, name varchar(100))");
        pair.onTarget("CREATE UNIQUE INDEX users_email_target ON users (email)");
        java.nio.file.Path config = pair.writeConfig(pair.configYaml());
        Map<String, String> env = Map.of(DatabasePair.PASSWORD_VARIABLE, pair.sourceServer.superuserPassword());

        OverlapProcess daemon = OverlapProcess.start(env, "run", "--config", config.toString());
        try {
            org.awaitility.Awaitility.await().atMost(CATCH_UP).ignoreExceptions().until(() -> streamingOffset(pair));
            pair.onSource("INSERT INTO users VALUES (1, 'secret.one@example.com', 'one'), (2, 'secret.one@example.com', 'two')");
            assertThat(daemon.waitFor()).as("exit code; stderr: %s", daemon.stderr()).isEqualTo(1);
            String stopped = daemon.stderr().lines().filter(l -> l.contains("stopped:")).findFirst().orElse("");
            assertThat(stopped).contains("users").contains("key id").contains("SQLState").contains("unique")
                    .contains("restart overlap");
            assertThat(daemon.stderr()).doesNotContain("secret.one");

            daemon = OverlapProcess.start(env, "run", "--config", config.toString());
            assertThat(daemon.waitFor()).as("exit code; stderr: %s", daemon.stderr()).isEqualTo(1);
            assertThat(daemon.stderr()).contains("trying again in 5 s").doesNotContain("secret.one");

            pair.onTarget(dropIndex("users_email_target", "users"));
            daemon = OverlapProcess.start(env, "run", "--config", config.toString());
            pair.awaitIdentical(CATCH_UP);
            assertThat(daemon.stderr()).contains("trying again in 10 s");
            assertThat(daemon.terminate()).as("exit code after SIGTERM; stderr: %s", daemon.stderr()).isZero();
        } finally {
            if (daemon.alive()) {
                daemon.kill();
            }
        }
    }

    /**
     * @return whether the target holds an offset the connector wrote while streaming: not one of an unfinished
     *         snapshot, nor the one the initial copy wrote (the connector may still be starting from that)
     */
    static boolean streamingOffset(DatabasePair pair) throws SQLException {
        try (Connection c = pair.target(); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT source_offset FROM overlap_offsets")) {
            if (!rs.next()) {
                return false;
            }
            String offset = rs.getString(1);
            return !offset.contains("\"snapshot\"") && !offset.contains("overlap_copied");
        }
    }

    private void storm(DatabasePair pair, Random random, int transactions) throws SQLException {
        try (Connection c = pair.source()) {
            c.setAutoCommit(false);
            for (int i = 0; i < transactions; i++) {
                int id = 1 + random.nextInt(12);
                int a = 1 + random.nextInt(8);
                int b = 1 + random.nextInt(8);
                String sql = switch (random.nextInt(6)) {
                    case 0 -> "INSERT INTO two_uniques VALUES (" + id + ", " + a + ", " + b + ", 0)";
                    case 1 -> "UPDATE two_uniques SET a = " + a + ", n = n + 1 WHERE id = " + id;
                    case 2 -> "UPDATE two_uniques SET b = " + b + " WHERE id = " + id;
                    case 3 -> "UPDATE two_uniques SET a = NULL WHERE a = " + a;
                    case 4 -> "DELETE FROM two_uniques WHERE id = " + id;
                    default -> upsertOnA().formatted(id, a, b);
                };
                try (Statement st = c.createStatement()) {
                    st.execute(sql);
                    if (random.nextInt(3) > 0) {
                        c.commit();
                    }
                } catch (SQLException e) {
                    c.rollback();
                }
            }
            c.commit();
        }
    }

    /** Runs statements on the source in one transaction. */
    static void transaction(DatabasePair pair, String... statements) throws SQLException {
        try (Connection c = pair.source()) {
            c.setAutoCommit(false);
            for (String sql : statements) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.execute();
                }
            }
            c.commit();
        }
    }

    /** Waits until the pipeline streams and the target holds a streaming offset, so a restart resumes there. */
    static void awaitStreaming(DatabasePair pair, Pipeline pipeline) {
        org.awaitility.Awaitility.await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> {
                    if (pipeline.failure() != null) {
                        throw new AssertionError("pipeline failed", pipeline.failure());
                    }
                    return streamingOffset(pair);
                });
    }

    /** Starts the pipeline, waits until both sides hold the same rows, and checks it did not fail. */
    private static Map<String, List<String>> replicate(DatabasePair pair) throws SQLException {
        try (Pipeline pipeline = pair.startPipeline()) {
            return awaitIdentical(pair, pipeline);
        }
    }

    static Map<String, List<String>> awaitIdentical(DatabasePair pair, Pipeline pipeline) throws SQLException {
        Map<String, List<String>> rows = pair.awaitIdentical(CATCH_UP, pipeline);
        assertThat(pipeline.failure()).as("pipeline failure").isNull();
        return rows;
    }
}
