package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code overlap finish} on real servers: refused while the daemon runs (also while it replicates back after promote)
 * and before the cutover (exit 2, nothing removed); after a promote that kept the slot and replicated back, it drops
 * both directions' slots, publications and DDL event triggers, and Overlap's tables on both hosts, and lists them; a
 * second run finds nothing left. MySQL and MariaDB: {@link ReverseReplicationIT} ends with finish.
 */
class FinishIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void postgresFinishRemovesEverythingOfOverlapsFromBothHosts() throws Exception {
        DatabasePair pair = DatabasePair.create("finish");
        pair.onBoth("CREATE TABLE orders (id bigserial PRIMARY KEY, note text NOT NULL)");
        pair.onSource("INSERT INTO orders (note) SELECT 'seed ' || i FROM generate_series(1, 50) i");
        PromotingDaemon daemon = PromotingDaemon.start(pair);
        try {
            OverlapProcess whileRunning = finish(daemon);
            assertThat(whileRunning.waitFor()).isEqualTo(2);
            assertThat(whileRunning.stderr()).contains("is already run by another daemon").doesNotContain("Exception");
            daemon.process().terminate();
            OverlapProcess unpromoted = finish(daemon);
            assertThat(unpromoted.waitFor()).isEqualTo(2);
            assertThat(unpromoted.stderr()).contains("was not promoted").contains("--abandon");
            assertThat(count(pair.source(), "SELECT count(*) FROM pg_replication_slots WHERE database = current_database()"))
                    .as("nothing removed").isEqualTo(1);
        } finally {
            if (daemon.process().alive()) {
                daemon.process().kill();
            }
        }

        daemon = PromotingDaemon.start(pair, "promote:", "  reverse: true");
        try {
            finishAfterPromoteWithReverse(pair, daemon);
        } finally {
            daemon.stop(pair);
        }
    }

    private static void finishAfterPromoteWithReverse(DatabasePair pair, PromotingDaemon daemon) throws Exception {
        OverlapProcess promote = daemon.promote("--keep-slot");
        assertThat(promote.waitFor()).as(promote.stdout()).isZero();
        OverlapProcess reverseRunning = finish(daemon);
        assertThat(reverseRunning.waitFor()).as("finish while the daemon replicates back").isEqualTo(2);
        assertThat(daemon.process().terminate()).isZero();

        OverlapProcess finish = finish(daemon);
        assertThat(finish.waitFor()).as(finish.stderr()).isZero();
        List<String> removed = new ArrayList<>();
        JSON.readTree(finish.stdout()).path("removed").forEach(r -> removed.add(r.asText()));
        String slot = "overlap_" + pair.name;
        assertThat(removed).contains("source: replication slot " + slot, "source: publication " + slot,
                "source: DDL event triggers and function of pipeline " + pair.name, "target: overlap_promotions: 1 rows; table dropped",
                "target: replication slot " + slot + "_reverse", "target: publication " + slot + "_reverse",
                "source: overlap_offsets: 1 rows; table dropped");
        assertThat(removed).anyMatch(r -> r.startsWith("source: overlap_heartbeat: ") && r.endsWith("table dropped"));
        assertThat(removed).anyMatch(r -> r.startsWith("target: overlap_offsets: ") && r.endsWith("table dropped"));

        for (Connection c : List.of(pair.source(), pair.target())) {
            assertThat(count(c, "SELECT count(*) FROM pg_replication_slots WHERE database = current_database()")).isZero();
        }
        for (Connection c : List.of(pair.source(), pair.target())) {
            assertThat(count(c, "SELECT count(*) FROM pg_publication")).isZero();
        }
        for (Connection c : List.of(pair.source(), pair.target())) {
            assertThat(count(c, "SELECT count(*) FROM pg_event_trigger WHERE evtname LIKE '%" + pair.name + "%'")).isZero();
        }
        for (Connection c : List.of(pair.source(), pair.target())) {
            assertThat(count(c, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'overlap%'"))
                    .as("Overlap's tables; finish removed %s", removed).isZero();
        }
        assertThat(count(pair.target(), "SELECT count(*) FROM orders")).as("the application's rows stay").isEqualTo(50);

        OverlapProcess again = finish(daemon);
        assertThat(again.waitFor()).isZero();
        JsonNode report = JSON.readTree(again.stdout());
        assertThat(report.path("removed")).isEmpty();
        assertThat(report.path("left")).isEmpty();
    }

    private static OverlapProcess finish(PromotingDaemon daemon) throws Exception {
        return OverlapProcess.start(daemon.env(), "finish", "--config", daemon.config().toString(), "--json");
    }

    private static long count(Connection connection, String sql) throws SQLException {
        try (connection; Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
