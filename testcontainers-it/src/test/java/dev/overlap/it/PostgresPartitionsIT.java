package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.overlap.replicator.UserError;
import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.pipeline.Pipeline;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL declarative partitioning: range- and list-partitioned tables are replicated through their
 * root (the snapshot reads every partition, changes arrive under the root's name), an update that moves
 * a row to another partition lands, {@code overlap verify} finds the tables equal and promote counts them.
 * A selected table that cannot be replicated is refused at start with one line.
 */
class PostgresPartitionsIT {
    private static final Duration CATCH_UP = Duration.ofSeconds(60);

    private static final String SCHEMA = """
            CREATE TABLE events (id bigint, at date NOT NULL, kind text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
            CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
            CREATE TABLE events_other PARTITION OF events DEFAULT;
            CREATE TABLE orders (id int, region text NOT NULL, total numeric(10,2), PRIMARY KEY (id, region)) PARTITION BY LIST (region);
            CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu');
            CREATE TABLE orders_us PARTITION OF orders FOR VALUES IN ('us', 'ca');
            """;

    @Test
    void partitionedTablesReplicateThroughTheirRoot() throws Exception {
        DatabasePair pair = DatabasePair.create("partitions");
        pair.onBoth(SCHEMA);
        pair.onSource("INSERT INTO events SELECT i, DATE '2024-01-01' + i, 'seed' FROM generate_series(1, 600) i;"
                + " INSERT INTO orders VALUES (1, 'eu', 10), (2, 'us', 20), (3, 'ca', 30)");
        // as a DBA creates it when Overlap's user may not: without publish_via_partition_root, which preflight sets
        pair.onSource("CREATE PUBLICATION overlap_" + pair.name + " FOR TABLE events, orders");
        try (Pipeline pipeline = pair.startPipeline()) {
            assertThat(pipeline.tables()).contains(new TableId("public", "events"), new TableId("public", "orders"))
                    .noneMatch(t -> t.table().contains("_"));
            pair.awaitIdentical(CATCH_UP, pipeline);
            pair.onSource("""
                    INSERT INTO events VALUES (1000, '2025-06-01', 'new'), (1001, '2030-01-01', 'far');
                    UPDATE events SET kind = 'changed' WHERE id = 10;
                    UPDATE events SET at = '2025-02-02' WHERE id = 20;
                    UPDATE events SET at = '2031-01-01', kind = 'moved' WHERE id = 1000;
                    DELETE FROM events WHERE id BETWEEN 30 AND 39;
                    UPDATE orders SET region = 'eu', total = 21 WHERE id = 2;
                    UPDATE orders SET total = 31 WHERE id = 3;
                    DELETE FROM orders WHERE id = 1;
                    """);
            Map<String, List<String>> rows = pair.awaitIdentical(CATCH_UP, pipeline);
            assertThat(rows.get("public.events")).hasSize(592).contains("(20,2025-02-02,seed)", "(1000,2031-01-01,moved)");
            assertThat(rows.get("public.orders")).containsExactly("(2,eu,21.00)", "(3,ca,31.00)");
        }
        Path config = pair.writeConfig(pair.configYaml());
        OverlapProcess verify = OverlapProcess.start(Map.of(DatabasePair.PASSWORD_VARIABLE, pair.sourceServer.superuserPassword()),
                "verify", "--config", config.toString(), "--json");
        assertThat(verify.waitFor()).as("verify exit code; stdout: %s", verify.stdout()).isZero();
        assertThat(verify.stdout()).contains("\"public.events\"").contains("\"public.orders\"").doesNotContain("events_2024");
    }

    /**
     * Partitions created, detached and attached while streaming, as a retention job and a bulk load do: each
     * statement reaches the target at its place in the stream, a partition created standalone and filled
     * brings its rows when it is attached, and a detached partition goes on replicating as a table of its own.
     */
    @Test
    void partitionsCreatedDetachedAndAttachedWhileStreaming() throws Exception {
        DatabasePair pair = DatabasePair.create("partitions_ddl");
        pair.onBoth(SCHEMA);
        pair.onSource("INSERT INTO events SELECT i, DATE '2024-01-01' + i, 'seed' FROM generate_series(1, 600) i");
        try (Pipeline pipeline = pair.startPipeline()) {
            UniqueKeysCheck.awaitStreaming(pair, pipeline);
            pair.onSource("CREATE TABLE events_2027 PARTITION OF events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01')");
            pair.onSource("INSERT INTO events SELECT i, DATE '2027-01-01' + (i % 300), 'in 2027' FROM generate_series(2001, 2100) i");
            pair.onSource("ALTER TABLE events DETACH PARTITION events_2024");
            pair.onSource("INSERT INTO events_2024 VALUES (5000, '2024-06-01', 'archived later')");
            pair.onSource("UPDATE events_2024 SET kind = 'archived' WHERE id <= 10");
            pair.onSource("CREATE TABLE events_2028 (LIKE events INCLUDING ALL)");
            pair.onSource("INSERT INTO events_2028 SELECT i, DATE '2028-01-01' + (i % 300), 'bulk' FROM generate_series(3001, 3200) i");
            pair.onSource("ALTER TABLE events ATTACH PARTITION events_2028 FOR VALUES FROM ('2028-01-01') TO ('2029-01-01')");
            pair.onSource("INSERT INTO events VALUES (4000, '2028-03-03', 'after attach')");
            Map<String, List<String>> rows = pair.awaitIdentical(CATCH_UP, pipeline);
            assertThat(rows.get("public.events")).hasSize(600 - 365 + 100 + 200 + 1);
            assertThat(rows.get("public.events_2024")).hasSize(366).contains("(5000,2024-06-01,\"archived later\")");
            assertThat(pipeline.failure()).isNull();
            assertThat(pipeline.tables()).contains(new TableId("public", "events"), new TableId("public", "events_2024"))
                    .doesNotContain(new TableId("public", "events_2028"));
        }
        Path config = pair.writeConfig(pair.configYaml());
        OverlapProcess verify = OverlapProcess.start(Map.of(DatabasePair.PASSWORD_VARIABLE, pair.sourceServer.superuserPassword()),
                "verify", "--config", config.toString(), "--json");
        assertThat(verify.waitFor()).as("verify exit code; stdout: %s", verify.stdout()).isZero();
        assertThat(verify.stdout()).contains("\"public.events\"").contains("\"public.events_2024\"");
    }

    @Test
    void tablesThatCannotBeReplicatedAreRefusedAtStart() throws Exception {
        DatabasePair pair = DatabasePair.create("partitions_refused");
        pair.onBoth(SCHEMA);
        assertThatThrownBy(() -> pair.startPipeline("tables:", "  include: [public.events_2024]"))
                .isInstanceOf(UserError.class).hasMessageContaining("events_2024 is a partition of public.events");

        pair.onBoth("CREATE UNLOGGED TABLE scratch (id int PRIMARY KEY)");
        assertThatThrownBy(() -> pair.startPipeline()).isInstanceOf(UserError.class)
                .hasMessageContaining("public.scratch is UNLOGGED");
    }
}
