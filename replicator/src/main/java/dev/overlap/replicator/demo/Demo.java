package dev.overlap.replicator.demo;

import dev.overlap.checksum.TableResult;
import dev.overlap.checksum.Verifier;
import dev.overlap.lag.PipelineMetrics;
import dev.overlap.replicator.Pipeline;
import dev.overlap.replicator.config.ConfigLoader;
import dev.overlap.replicator.config.OverlapConfig;
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
                return verify(oldHost, newHost, pipeline);
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

    private boolean verify(EmbeddedPostgresServer oldHost, EmbeddedPostgresServer newHost, Pipeline pipeline) throws Exception {
        long start = System.nanoTime();
        Verifier verifier = new Verifier();
        List<TableResult> results;
        try (Connection source = oldHost.connect("shop"); Connection target = newHost.connect("shop")) {
            do {
                results = verifier.compare(source, target, ShopWorkload.TABLES);
                if (results.stream().allMatch(TableResult::equal)) {
                    break;
                }
                Thread.sleep(200);
            } while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60) && pipeline.failure() == null);
        }
        long rows = 0;
        boolean identical = true;
        for (TableResult r : results) {
            out.printf("  %-22s source %,9d rows  target %,9d rows  %s%n", r.table(), r.source().rows(), r.target().rows(),
                    r.equal() ? "identical" : "DIFFERENT");
            rows += r.source().rows();
            identical &= r.equal();
        }
        if (identical) {
            out.printf("Caught up %d ms after the load stopped.%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            out.printf("source and target identical: %,d rows in %d tables%n", rows, results.size());
        } else {
            out.println("source and target DIFFER after 60 s");
        }
        return identical;
    }
}
