package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.overlap.replicator.pipeline.Pipeline;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A pgbench workload replicated while it runs: {@code pgbench -i} on the source, the same tables
 * (empty) on the target, then TPC-B transactions from 4 clients for 30 s. Afterwards every table,
 * pgbench_history (no primary key, REPLICA IDENTITY FULL) included, is compared row by row.
 */
class PgbenchReplicationIT {

    @Test
    void pgbenchWorkloadReplicatesExactly() throws Exception {
        DatabasePair pair = DatabasePair.create("pgbench");
        PgbenchWorkload source = new PgbenchWorkload(pair.sourceServer, pair.name);
        source.initialize(1, true);
        new PgbenchWorkload(pair.targetServer, pair.name).initialize(1, false);
        pair.onSource("ALTER TABLE pgbench_history REPLICA IDENTITY FULL");

        try (Pipeline pipeline = pair.startPipeline()) {
            long transactions = source.run(4, 30, 1);
            Map<String, List<String>> rows = pair.awaitIdentical(Duration.ofSeconds(120));

            assertThat(transactions).as("transactions via %s", source.route()).isGreaterThan(100);
            assertThat(rows.get("public.pgbench_history")).hasSize((int) transactions);
            assertThat(rows.get("public.pgbench_accounts")).hasSize(100_000);
            assertThat(pipeline.failure()).isNull();
        }
    }
}
