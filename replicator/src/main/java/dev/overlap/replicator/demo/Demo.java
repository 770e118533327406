package dev.overlap.replicator.demo;

import dev.overlap.checksum.Databases;
import dev.overlap.checksum.PostgresChecksumDialect;
import dev.overlap.checksum.ReplicationWatermark;
import dev.overlap.checksum.TableName;
import dev.overlap.checksum.TableReport;
import dev.overlap.checksum.Verifier;
import dev.overlap.checksum.VerifyOptions;
import dev.overlap.checksum.VerifyProgress;
import dev.overlap.checksum.VerifyReport;
import dev.overlap.lag.PipelineMetrics;
import dev.overlap.replicator.Connections;
import dev.overlap.replicator.Pipeline;
import dev.overlap.replicator.config.ConfigLoader;
import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.verify.EndpointDatabases;
import dev.overlap.replicator.verify.OffsetWatermark;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code overlap demo}: two embedded PostgreSQL servers, a seeded shop on the old one, replication to
 * the new one while two clients keep shopping, then a comparison of every table. Prints a progress
 * line each second and ends with {@code source and target identical: N rows in M tables}.
 */
public final class Demo {
    private static final int CLIENTS = 2;
    private final PrintStream out;

    /** @param out where progress and the result go */
    public Demo(PrintStream out) {
        this.out = out;
    }

    /**
     * @param orders orders seeded before replication starts
     * @param seconds how long the live load runs
     * @return whether source and target ended identical
     * @throws Exception when a server cannot start or a database fails
     */
    public boolean run(int orders, int seconds) throws Exception {
        out.println("Starting two embedded PostgreSQL servers (old host, new host)...");
        try (EmbeddedPostgresServer oldHost = EmbeddedPostgresServer.start();
             EmbeddedPostgresServer newHost = EmbeddedPostgresServer.start()) {
            oldHost.createDatabase("shop");
            newHost.createDatabase("shop");
            try (Connection source = oldHost.connect("shop"); Connection target = newHost.connect("shop")) {
                ShopWorkload.createSchema(source);
                ShopWorkload.createSchema(target);
                ShopWorkload.seed(source, orders);
            }
            out.printf("Seeded the old host: %,d orders. Schema restored on the new host.%n", orders);

            OverlapConfig config = new ConfigLoader(Map.of("OVERLAP_DEMO_PASSWORD", "demo")::get).parse("""
                    pipeline: demo
                    source: {url: "%s", user: postgres, password: "${env:OVERLAP_DEMO_PASSWORD}"}
                    target: {url: "%s", user: postgres, password: "${env:OVERLAP_DEMO_PASSWORD}"}
                    tables: {include: [public.*]}
                    metrics: {listen: "127.0.0.1:0"}
                    """.formatted(oldHost.jdbcUrl("shop"), newHost.jdbcUrl("shop")), "demo config");
            PipelineMetrics metrics = new PipelineMetrics(config.pipeline());
            try (Pipeline pipeline = new Pipeline(config, metrics)) {
                pipeline.start();
                out.printf("Replicating; metrics at http://127.0.0.1:%d/metrics%n", pipeline.metricsAddress().getPort());
                long written = runLoad(oldHost, metrics, pipeline, seconds);
                out.printf("Load stopped after %,d rows written on the old host; waiting for the new host to catch up...%n", written);
                return verify(config);
            }
        }
    }

    private long runLoad(EmbeddedPostgresServer oldHost, PipelineMetrics metrics, Pipeline pipeline, int seconds)
            throws InterruptedException {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong written = new AtomicLong();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        for (int i = 0; i < CLIENTS; i++) {
            clients.execute(() -> {
                try (Connection c = oldHost.connect("shop")) {
                    c.setAutoCommit(false);
                    while (running.get()) {
                        written.addAndGet(ShopWorkload.transaction(c));
                        Thread.sleep(2);
                    }
                } catch (SQLException | InterruptedException e) {
                    out.println("load client stopped: " + e.getMessage());
                }
            });
        }
        long applied = 0;
        for (int s = 1; s <= seconds && pipeline.failure() == null; s++) {
            Thread.sleep(1000);
            long now = metrics.appliedTotal();
            out.printf("[%3ds] %-12s old host: %,9d rows written | new host: %,9d events applied (%,6d/s)%n",
                    s, metrics.state().label(), written.get(), now, now - applied);
            applied = now;
        }
        running.set(false);
        clients.shutdown();
        clients.awaitTermination(30, TimeUnit.SECONDS);
        if (pipeline.failure() != null) {
            throw new IllegalStateException("replication failed: " + pipeline.failure().getMessage(), pipeline.failure());
        }
        return written.get();
    }

    private boolean verify(OverlapConfig config)
            throws SQLException, InterruptedException {
        Databases databases = new EndpointDatabases(config.source(), config.target());
        ReplicationWatermark watermark = new OffsetWatermark(config.pipeline(), () -> Connections.open(config.target()));
        List<TableName> tables = ShopWorkload.TABLES.stream().map(t -> new TableName(t[0], t[1])).toList();
        VerifyReport report;
        try (VerifyProgress progress = VerifyProgress.forOutput(false)) {
            report = new Verifier(new PostgresChecksumDialect(), databases, VerifyOptions.defaults(2, true, 10), watermark, progress)
                    .verify(tables);
        }
        for (TableReport r : report.tables()) {
            out.printf("  %-22s source %,9d rows  target %,9d rows  %s%n", r.table(), r.sourceRows(), r.targetRows(),
                    r.equal() ? "identical" : "DIFFERENT: " + r.rowDifferences());
        }
        if (report.equal()) {
            out.printf("Verified in %.1f s (chunked hashes, differences re-checked after the new host caught up).%n", report.seconds());
            out.printf("source and target identical: %,d rows in %d tables%n", report.sourceRows(), report.tablesCompared());
        } else {
            out.println("source and target DIFFER");
        }
        return report.equal();
    }
}
