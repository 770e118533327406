package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.overlap.replicator.pipeline.Pipeline;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One daemon per pipeline: while one runs, a second daemon of the same pipeline exits 2 with one line
 * naming the first, before it writes; once the first stops, the next one runs. A daemon whose lock
 * session ended and whose lock another session took applies nothing more.
 */
class DaemonLockIT {

    @Test
    void postgresSecondDaemonExitsTwoNamingTheFirst() throws Exception {
        secondDaemonExitsTwoNamingTheFirst(DatabasePair.create("dlock"));
    }

    @Test
    void mariadbSecondDaemonExitsTwoNamingTheFirst() throws Exception {
        secondDaemonExitsTwoNamingTheFirst(DatabasePair.create("dlock", Servers.mariadbSource(), Servers.mariadbTarget()));
    }

    @Test
    void mysqlSecondDaemonExitsTwoNamingTheFirst() throws Exception {
        secondDaemonExitsTwoNamingTheFirst(DatabasePair.create("dlock", Servers.mysqlSource(), Servers.mysqlTarget()));
    }

    private static void secondDaemonExitsTwoNamingTheFirst(DatabasePair pair) throws Exception {
        pair.onBoth("CREATE TABLE orders (id INT PRIMARY KEY, note VARCHAR(40) NOT NULL)");
        pair.onSource("INSERT INTO orders VALUES (1, 'before')");
        Path config = pair.writeConfig(pair.configYaml());
        Map<String, String> env = Map.of(DatabasePair.PASSWORD_VARIABLE, pair.sourceServer.superuserPassword());
        try (Pipeline first = pair.startPipeline()) {
            pair.awaitIdentical(Duration.ofSeconds(60));
            OverlapProcess second = OverlapProcess.start(env, "run", "--config", config.toString());
            assertThat(second.waitFor()).as("second daemon; stderr %s", second.stderr()).isEqualTo(2);
            assertThat(second.stderr().strip().lines()).as(second.stderr()).hasSize(1);
            assertThat(second.stderr()).contains("pipeline '" + pair.name + "' is already run by another daemon (session ")
                    .doesNotContain("Exception");

            pair.onSource("INSERT INTO orders VALUES (2, 'while the second was refused')");
            pair.awaitIdentical(Duration.ofSeconds(30));
            assertThat(first.failure()).isNull();
        }
        OverlapProcess next = OverlapProcess.start(env, "run", "--config", config.toString());
        try {
            pair.onSource("INSERT INTO orders VALUES (3, 'after the first stopped')");
            pair.awaitIdentical(Duration.ofSeconds(90));
            assertThat(next.alive()).as(next.stderr()).isTrue();
        } finally {
            next.terminate();
        }
    }

    @Test
    void postgresDaemonWhoseLockAnotherSessionTookAppliesNothingMore() throws Exception {
        DatabasePair pair = DatabasePair.create("dlocklost");
        pair.onBoth("CREATE TABLE orders (id INT PRIMARY KEY, note VARCHAR(40) NOT NULL)");
        pair.onSource("INSERT INTO orders VALUES (1, 'before')");
        try (Pipeline daemon = pair.startPipeline(); Connection other = pair.target(); Statement st = other.createStatement()) {
            pair.awaitIdentical(Duration.ofSeconds(60));
            long pid;
            long key;
            try (ResultSet rs = st.executeQuery("SELECT pid, (classid::bigint << 32) | objid::bigint FROM pg_locks"
                    + " WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")) {
                assertThat(rs.next()).as("the daemon's advisory lock on the target").isTrue();
                pid = rs.getLong(1);
                key = rs.getLong(2);
            }
            // the lock's session ends (as in a network partition) and another daemon's session takes the lock at once
            st.execute("SELECT pg_terminate_backend(" + pid + ")");
            // the ended session frees the lock a moment later (termination is asynchronous): wait for it in the queue,
            // ahead of the daemon's watchdog, which only tries every 5 s
            st.execute("SET statement_timeout = '4s'");
            st.execute("SELECT pg_advisory_lock(" + key + ")");
            Thread.sleep(7_000);
            pair.onSource("INSERT INTO orders VALUES (2, 'after the lock was lost')");
            await().atMost(Duration.ofSeconds(30)).until(() -> daemon.failure() != null);
            assertThat(daemon.failure().getMessage()).contains("lost its daemon lock");
            assertThat(DatabasePair.rows(pair.target(), "orders")).hasSize(1);
        }
    }
}
