package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.overlap.replicator.pipeline.Pipeline;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The connection to the target breaks during COMMIT, after the target committed and before its answer
 * arrived (the test's TCP proxy forwards the COMMIT, swallows the answer and cuts every connection): the
 * Applier reads the target's offset, sees the batch committed, and does not apply it again. On a table
 * without a key, where a second apply would duplicate every row. Run per engine:
 * {@link PostgresCommitInDoubtIT}, {@link MariaDbCommitInDoubtIT}, {@link MariaDbLtsCommitInDoubtIT},
 * {@link MySqlCommitInDoubtIT}.
 */
abstract class CommitInDoubtCheck {
    /** @return a new pair of databases on this engine's two servers */
    abstract DatabasePair pair(String prefix) throws Exception;

    /** @return the name under which {@link DatabasePair#snapshot} lists a table: its name on MySQL/MariaDB */
    String listed(String table) {
        return table;
    }

    /**
     * @return options for the target's JDBC URL, or an empty string: on PostgreSQL {@code prepareThreshold=0},
     *         so that the driver sends COMMIT as text every time and the proxy can see it
     */
    String targetUrlOptions() {
        return "";
    }

    /**
     * @return SQL that makes the table without a key replicate by whole rows on the source, or {@code null}
     *         where none is needed (MySQL/MariaDB log whole rows with binlog_row_image = FULL)
     */
    String wholeRowIdentity(String table) {
        return null;
    }

    @Test
    void aBatchWhoseCommitWentUnansweredIsNotAppliedTwice() throws Exception {
        DatabasePair pair = pair("in_doubt");
        pair.onBoth("CREATE TABLE history (account int, delta int)");
        if (wholeRowIdentity("history") != null) {
            pair.onSource(wholeRowIdentity("history"));
        }
        try (TcpProxy proxy = pair.proxyToTarget(); Pipeline pipeline = pair.startPipeline(proxy, targetUrlOptions())) {
            UniqueKeysCheck.awaitStreaming(pair, pipeline);
            proxy.cutAfterCommit("history");
            try (Connection c = pair.source(); Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                for (int i = 1; i <= 100; i++) {
                    st.execute("INSERT INTO history VALUES (" + i + ", 1)");
                }
                c.commit();
            }
            // the batch in doubt is resolved (or written again) before any later one: one more row after the cut
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(proxy::commitCut);
            pair.onSource("INSERT INTO history VALUES (0, 0)");
            Map<String, List<String>> rows = pair.awaitIdentical(Duration.ofSeconds(90), pipeline);
            assertThat(rows.get(listed("history"))).hasSize(101);
            assertThat(pipeline.failure()).isNull();
        }
    }
}
