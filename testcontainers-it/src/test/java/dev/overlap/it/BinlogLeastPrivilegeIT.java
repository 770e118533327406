package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Run, verify and promote on MySQL 8 and MariaDB 10.11 as the README's source user, not root: the replication grants, the
 * heartbeat table's, and for promote READ_ONLY ADMIN and CONNECTION ADMIN. MariaDB 10.11 split READ_ONLY ADMIN
 * from SUPER, so a user with SUPER alone can neither set {@code read_only} nor write the fence under it:
 * {@code promote --dry-run} names the grant instead of the cutover aborting at FREEZE_SOURCE.
 */
class BinlogLeastPrivilegeIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void mariadbUserWithSuperAloneIsToldTheGrantByTheDryRunAndPromotesOnceGranted() throws Exception {
        DatabasePair pair = DatabasePair.create("bleastpriv", Servers.mariadbLtsSource(), Servers.mariadbLtsTarget());
        String user = "ovl_" + pair.name;
        runVerifyAndPromoteAs(pair, user, "SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR, SUPER",
                "GRANT READ_ONLY ADMIN, CONNECTION ADMIN ON *.* TO '" + user + "'", "READ_ONLY ADMIN, CONNECTION ADMIN");
    }

    @Test
    void mysqlReadmeUserRunsVerifiesAndIsToldThePromoteGrantsByTheDryRun() throws Exception {
        DatabasePair pair = DatabasePair.create("mleastpriv", Servers.mysqlSource(), Servers.mysqlTarget());
        runVerifyAndPromoteAs(pair, "ovl_" + pair.name, "SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT",
                "SYSTEM_VARIABLES_ADMIN, CONNECTION_ADMIN", "SYSTEM_VARIABLES_ADMIN, CONNECTION_ADMIN");
    }

    /**
     * The source user gets the README's replication grants and the heartbeat table's, the daemon runs as it, verify
     * passes, the dry run names the promote grant that is missing, and once it is granted promote succeeds.
     *
     * @param replicationGrants privileges on *.* the README gives the source user
     * @param hint what the dry run's error must name
     * @param promoteGrants the privileges then granted on *.*
     */
    private static void runVerifyAndPromoteAs(DatabasePair pair, String user, String replicationGrants, String hint,
                                              String promoteGrants) throws Exception {
        pair.onBoth("CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(100) NOT NULL)");
        pair.onSource("INSERT INTO orders (note) VALUES ('seed 1'), ('seed 2')");
        pair.onSource("CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + pair.sourceServer.superuserPassword() + "';"
                + " GRANT " + replicationGrants + " ON *.* TO '" + user + "'@'%';"
                + " GRANT CREATE, INSERT, UPDATE ON `" + pair.name + "`.overlap_heartbeat TO '" + user + "'@'%'");
        String yaml = pair.configYaml().replaceFirst("user: " + pair.sourceServer.superuser(), "user: " + user);
        PromotingDaemon daemon = PromotingDaemon.startWith(pair, yaml, "promote:", "  verify: counts");
        try {
            pair.onSource("INSERT INTO orders (note) VALUES ('streamed')");
            pair.awaitIdentical(Duration.ofSeconds(60));
            OverlapProcess verify = daemon.verify();
            assertThat(verify.waitFor()).as("verify; stdout %s stderr %s", verify.stdout(), verify.stderr()).isZero();

            OverlapProcess rehearsal = daemon.promote("--dry-run");
            assertThat(rehearsal.waitFor()).as("dry run; stdout %s stderr %s", rehearsal.stdout(), rehearsal.stderr()).isEqualTo(4);
            JsonNode report = JSON.readTree(rehearsal.stdout());
            assertThat(report.path("state").asText()).isEqualTo("PRECHECK");
            assertThat(report.path("error").asText()).contains("source user '" + user + "' cannot SET GLOBAL read_only")
                    .contains(hint);

            pair.onSource("GRANT " + promoteGrants + " ON *.* TO '" + user + "'@'%'");
            pair.onSource("INSERT INTO orders (note) VALUES ('before the promote')");
            OverlapProcess promote = daemon.promote();
            assertThat(promote.waitFor()).as("promote; stdout %s stderr %s", promote.stdout(), promote.stderr()).isZero();
            assertThat(JSON.readTree(promote.stdout()).path("outcome").asText()).isEqualTo("promoted");
            assertThat(DatabasePair.rows(pair.target(), "orders")).hasSize(4);
        } finally {
            daemon.stop(pair);
        }
    }
}
