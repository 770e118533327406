package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Run and promote on PostgreSQL as the README's least-privilege users, not superusers: the source user owns
 * the database and the tables and has REPLICATION and {@code pg_signal_backend}; the target user owns the
 * target database and has the table grants and {@code SET ON PARAMETER session_replication_role}. A
 * sequence the source user may not read shows as NULL in {@code pg_sequences} (as one never used does):
 * {@code promote --dry-run} names it and the grant, and once granted the promoted target's sequences
 * continue above the source's values.
 */
class PostgresLeastPrivilegeIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void sequenceTheSourceUserCannotReadIsFoundByTheDryRunAndCarriedOnceGranted() throws Exception {
        DatabasePair pair = DatabasePair.create("leastpriv");
        String user = "ovl_" + pair.name;
        pair.onBoth("CREATE ROLE " + user + " LOGIN;"
                + " CREATE TABLE orders (id bigserial PRIMARY KEY, note text NOT NULL);"
                + " CREATE SEQUENCE invoice_no START 1000;"
                + " ALTER DATABASE " + pair.name + " OWNER TO " + user);
        pair.onSource("ALTER ROLE " + user + " REPLICATION; GRANT pg_signal_backend TO " + user + ";"
                + " ALTER TABLE orders OWNER TO " + user + ";"
                + " INSERT INTO orders (note) SELECT 'seed ' || i FROM generate_series(1, 50) i;"
                + " SELECT nextval('invoice_no') FROM generate_series(1, 25)");
        pair.onTarget("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + user + ";"
                + " GRANT SET ON PARAMETER session_replication_role TO " + user);
        String yaml = pair.configYaml().replace("user: " + pair.sourceServer.superuser(), "user: " + user);
        PromotingDaemon daemon = PromotingDaemon.startWith(pair, yaml);
        try {
            pair.awaitIdentical(Duration.ofSeconds(60));
            OverlapProcess verify = daemon.verify();
            assertThat(verify.waitFor()).as("verify; stdout %s stderr %s", verify.stdout(), verify.stderr()).isZero();

            OverlapProcess rehearsal = daemon.promote("--dry-run");
            assertThat(rehearsal.waitFor()).as("dry run; stdout %s stderr %s", rehearsal.stdout(), rehearsal.stderr()).isEqualTo(4);
            JsonNode report = JSON.readTree(rehearsal.stdout());
            assertThat(report.path("state").asText()).isEqualTo("PRECHECK");
            assertThat(report.path("error").asText())
                    .contains("source user '" + user + "' cannot read sequence public.invoice_no")
                    .contains("GRANT SELECT ON ALL SEQUENCES IN SCHEMA \"public\" TO \"" + user + "\"")
                    .contains("target user '" + user + "' may not setval sequences public.invoice_no, public.orders_id_seq; run"
                            + " GRANT UPDATE ON ALL SEQUENCES IN SCHEMA \"public\" TO \"" + user + "\"")
                    .doesNotContain("missing on the target");

            pair.onSource("GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO " + user);
            pair.onTarget("GRANT UPDATE ON ALL SEQUENCES IN SCHEMA public TO " + user);
            OverlapProcess promote = daemon.promote();
            assertThat(promote.waitFor()).as("promote; stdout %s stderr %s", promote.stdout(), promote.stderr()).isZero();
            assertThat(JSON.readTree(promote.stdout()).path("outcome").asText()).isEqualTo("promoted");
            try (Connection c = pair.target(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT nextval('invoice_no'), nextval('orders_id_seq')")) {
                rs.next();
                assertThat(rs.getLong(1)).as("the target's invoice_no continues after the source's 1024").isEqualTo(1025);
                assertThat(rs.getLong(2)).as("the target's orders ids continue after the source's 50").isEqualTo(51);
            }
        } finally {
            daemon.stop(pair);
        }
    }
}
