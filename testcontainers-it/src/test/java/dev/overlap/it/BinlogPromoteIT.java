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
 * {@code overlap promote} on MariaDB and MySQL 8.0: an application user keeps inserting through the
 * cutover; every insert the source acknowledged is on the target, none is acknowledged after the
 * freeze ({@code read_only}, and {@code super_read_only} on MySQL), and the target's AUTO_INCREMENT
 * continues above every id. MariaDB's cutover verifies exactly (a pass while streaming, then the rows changed
 * since, by key, while frozen), MySQL's with row counts. A row changed on the target aborts before the freeze with
 * its key named. The freeze is server-wide, so each test returns the shared source server
 * to writable at the end.
 */
class BinlogPromoteIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void mariadbPromotesUnderWritesWithNothingLost() throws Exception {
        promoteUnderWrites(DatabasePair.create("bpromote", Servers.mariadbSource(), Servers.mariadbTarget()), "exact");
    }

    @Test
    void mysqlPromotesUnderWritesWithNothingLost() throws Exception {
        promoteUnderWrites(DatabasePair.create("bpromote", Servers.mysqlSource(), Servers.mysqlTarget()), "counts");
    }

    @Test
    void mariadbRowChangedOnTheTargetAbortsBeforeTheFreeze() throws Exception {
        DatabasePair pair = DatabasePair.create("bpromoteabort", Servers.mariadbSource(), Servers.mariadbTarget());
        pair.onBoth("CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(100) NOT NULL)");
        pair.onSource("INSERT INTO orders (note) VALUES ('seed 1'), ('seed 2')");
        PromotingDaemon daemon = PromotingDaemon.start(pair);
        try {
            pair.awaitIdentical(Duration.ofSeconds(30));
            pair.onTarget("UPDATE orders SET note = 'edited on the target' WHERE id = 2");

            OverlapProcess promote = daemon.promote();
            assertThat(promote.waitFor()).as("promote; stdout %s stderr %s", promote.stdout(), promote.stderr()).isEqualTo(4);
            JsonNode report = JSON.readTree(promote.stdout());
            assertThat(report.path("outcome").asText()).isEqualTo("aborted");
            assertThat(report.path("state").asText()).as(promote.stdout()).isEqualTo("VERIFY_LIVE");
            assertThat(report.path("error").asText()).contains("orders: 0 missing, 0 extra, 1 different rows (different {id=2})");
            try (Connection c = pair.source(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT @@read_only")) {
                rs.next();
                assertThat(rs.getInt(1)).as("source read_only after the abort").isZero();
            }
            pair.onSource("INSERT INTO orders (note) VALUES ('after the abort')");
            pair.onTarget("UPDATE orders SET note = 'seed 2' WHERE id = 2");
            pair.awaitIdentical(Duration.ofSeconds(30));
            assertThat(daemon.process().alive()).as(daemon.process().stderr()).isTrue();
        } finally {
            daemon.stop(pair);
        }
    }

    /** @param verify {@code promote.verify}: exact (a pass while streaming, the changed rows frozen) or row counts */
    private static void promoteUnderWrites(DatabasePair pair, String verify) throws Exception {
        pair.onBoth("CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(100) NOT NULL)");
        String app = "app_" + pair.name;
        pair.onSource("CREATE USER '" + app + "'@'%' IDENTIFIED BY 'app-pw'");
        pair.onSource("GRANT SELECT, INSERT ON `" + pair.name + "`.orders TO '" + app + "'@'%'");
        pair.onSource("INSERT INTO orders (note) VALUES ('seed 1'), ('seed 2'), ('seed 3')");
        PromotingDaemon daemon = PromotingDaemon.start(pair, "promote:", "  verify: " + verify);
        AtomicBoolean writing = new AtomicBoolean(true);
        ConcurrentLinkedQueue<long[]> acks = new ConcurrentLinkedQueue<>();
        Thread writer = new Thread(() -> write(pair, app, writing, acks));
        try {
            writer.start();
            Thread.sleep(2000);

            OverlapProcess promote = daemon.promote();
            int exit = promote.waitFor();
            Thread.sleep(500);
            writing.set(false);
            writer.join(10_000);

            assertThat(exit).as("promote; stdout %s stderr %s; daemon %s", promote.stdout(), promote.stderr(),
                    daemon.process().stderr()).isZero();
            JsonNode report = JSON.readTree(promote.stdout());
            assertThat(report.path("outcome").asText()).isEqualTo("promoted");
            Instant frozenAt = Instant.parse(report.path("frozen_at").asText());
            List<long[]> acknowledged = new ArrayList<>(acks);
            assertThat(acknowledged).hasSizeGreaterThan(20);
            assertThat(acknowledged).allSatisfy(ack -> assertThat(Instant.ofEpochMilli(ack[1])).isBefore(frozenAt.plusMillis(50)));
            List<Long> onTarget = new ArrayList<>();
            try (Connection c = pair.target(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id FROM orders")) {
                while (rs.next()) {
                    onTarget.add(rs.getLong(1));
                }
            }
            assertThat(onTarget).containsAll(acknowledged.stream().map(ack -> ack[0]).toList());
            long maxId = onTarget.stream().mapToLong(Long::longValue).max().orElseThrow();
            try (Connection c = pair.target(); Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO orders (note) VALUES ('on the new master')", Statement.RETURN_GENERATED_KEYS);
                try (ResultSet keys = st.getGeneratedKeys()) {
                    keys.next();
                    assertThat(keys.getLong(1)).isGreaterThan(maxId);
                }
            }
            assertThat(daemon.process().waitFor()).isZero();
        } finally {
            writing.set(false);
            daemon.stop(pair);
        }
    }

    private static void write(DatabasePair pair, String app, AtomicBoolean writing, ConcurrentLinkedQueue<long[]> acks) {
        while (writing.get()) {
            try (Connection c = DriverManager.getConnection(pair.sourceServer.jdbcUrl(pair.name), app, "app-pw");
                 PreparedStatement ps = c.prepareStatement("INSERT INTO orders (note) VALUES ('live')", Statement.RETURN_GENERATED_KEYS)) {
                while (writing.get()) {
                    ps.executeUpdate();
                    try (ResultSet keys = ps.getGeneratedKeys()) {
                        keys.next();
                        acks.add(new long[] {keys.getLong(1), System.currentTimeMillis()});
                    }
                    Thread.sleep(5);
                }
            } catch (SQLException e) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException interrupted) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
