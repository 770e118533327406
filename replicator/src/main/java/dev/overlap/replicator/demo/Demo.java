package dev.overlap.replicator.demo;

import dev.overlap.checksum.ChecksumDialect;
import dev.overlap.checksum.TableName;
import dev.overlap.checksum.TableReport;
import dev.overlap.checksum.Verifier;
import dev.overlap.checksum.VerifyOptions;
import dev.overlap.checksum.VerifyProgress;
import dev.overlap.checksum.VerifyReport;
import dev.overlap.embedded.EmbeddedBinlogServer;
import dev.overlap.embedded.EmbeddedPostgresServer;
import dev.overlap.embedded.EmbeddedServer;
import dev.overlap.lag.PipelineMetrics;
import dev.overlap.replicator.config.ConfigLoader;
import dev.overlap.replicator.config.DatabaseKind;
import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.engine.Engine;
import dev.overlap.replicator.engine.Engines;
import dev.overlap.replicator.pipeline.Pipeline;
import dev.overlap.replicator.verify.EndpointDatabases;
import dev.overlap.replicator.verify.PipelineWatermark;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code overlap demo}: two embedded servers of one engine (PostgreSQL, MariaDB or MySQL), a seeded shop
 * on the old one, replication to the new one while two clients keep shopping, then a comparison of
 * every table. Prints a progress line each second and ends with
 * {@code source and target identical: N rows in M tables}.
 *
 * <p>Once the new host has caught up, the comparison is {@code overlap verify}'s {@link Verifier}
 * (chunked hashes) on every engine.
 */
public final class Demo {
    private static final int CLIENTS = 2;
    private static final long CATCH_UP_TIMEOUT_MS = 120_000;
    private final PrintStream out;

    /** @param out where progress and the result go */
    public Demo(PrintStream out) {
        this.out = out;
    }

    /**
     * Runs the demo on PostgreSQL.
     *
     * @param orders orders seeded before replication starts
     * @param seconds how long the live load runs
     * @return whether source and target ended identical
     * @throws Exception when a server cannot start or a database fails
     */
    public boolean run(int orders, int seconds) throws Exception {
        return run(DatabaseKind.POSTGRESQL, orders, seconds);
    }

    /**
     * @param engine the engine of both servers
     * @param orders orders seeded before replication starts
     * @param seconds how long the live load runs
     * @return whether source and target ended identical
     * @throws Exception when a server cannot start or a database fails
     */
    public boolean run(DatabaseKind engine, int orders, int seconds) throws Exception {
        out.println("Starting two embedded " + label(engine) + " servers (old host, new host)...");
        try (EmbeddedServer oldHost = start(engine, 1); EmbeddedServer newHost = start(engine, 2)) {
            oldHost.createDatabase("shop");
            newHost.createDatabase("shop");
            ShopWorkload shop = new ShopWorkload(engine == DatabaseKind.POSTGRESQL ? new PostgresShopSql() : new MySqlShopSql());
            try (Connection source = oldHost.connect("shop"); Connection target = newHost.connect("shop")) {
                shop.createSchema(source);
                shop.createSchema(target);
                shop.seed(source, orders);
            }
            out.printf("Seeded the old host: %,d orders. Schema restored on the new host.%n", orders);

            String password = engine == DatabaseKind.POSTGRESQL ? "demo" : "";
            OverlapConfig config = new ConfigLoader(Map.of("OVERLAP_DEMO_PASSWORD", password)::get).parse("""
                    pipeline: demo
                    source: {url: "%s", user: %s, password: "${env:OVERLAP_DEMO_PASSWORD}"}
                    target: {url: "%s", user: %s, password: "${env:OVERLAP_DEMO_PASSWORD}"}
                    %smetrics: {listen: "127.0.0.1:0"}
                    """.formatted(oldHost.jdbcUrl("shop"), oldHost.superuser(), newHost.jdbcUrl("shop"), newHost.superuser(),
                    engine == DatabaseKind.POSTGRESQL ? "tables: {include: [public.*]}\n" : ""), "demo config");
            PipelineMetrics metrics = new PipelineMetrics(config.pipeline());
            try (Pipeline pipeline = new Pipeline(config, metrics)) {
                pipeline.start();
                out.printf("Replicating; metrics at http://127.0.0.1:%d/metrics%n", pipeline.httpAddress().getPort());
                long written = runLoad(shop, oldHost, metrics, pipeline, seconds);
                out.printf("Load stopped after %,d rows written on the old host; waiting for the new host to catch up...%n", written);
                awaitCatchUp(pipeline);
                return verify(config);
            }
        }
    }

    private static String label(DatabaseKind engine) {
        return switch (engine) {
            case POSTGRESQL -> "PostgreSQL";
            case MARIADB -> "MariaDB";
            case MYSQL -> "MySQL";
        };
    }

    /** @param serverId the binlog {@code server_id} (1 old host, 2 new host); PostgreSQL has none */
    private static EmbeddedServer start(DatabaseKind engine, int serverId) {
        return switch (engine) {
            case POSTGRESQL -> EmbeddedPostgresServer.start();
            case MARIADB -> EmbeddedBinlogServer.start(EmbeddedBinlogServer.Flavor.MARIADB, Map.of("server_id", "" + serverId));
            case MYSQL -> EmbeddedBinlogServer.start(EmbeddedBinlogServer.Flavor.MYSQL, Map.of("server_id", "" + serverId));
        };
    }

    private long runLoad(ShopWorkload shop, EmbeddedServer oldHost, PipelineMetrics metrics, Pipeline pipeline, int seconds)
            throws InterruptedException {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong written = new AtomicLong();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        for (int i = 0; i < CLIENTS; i++) {
            clients.execute(() -> {
                try (Connection c = oldHost.connect("shop")) {
                    c.setAutoCommit(false);
                    while (running.get()) {
                        try {
                            written.addAndGet(shop.transaction(c));
                        } catch (SQLException e) {
                            c.rollback();
                            if (!deadlock(e)) {
                                throw e;
                            }
                        }
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
                    s, metrics.stateLabel(), written.get(), now, now - applied);
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

    /** @return whether two shop clients ran into each other (deadlock, lock wait timeout); the transaction is retried */
    private static boolean deadlock(SQLException e) {
        return "40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState()) || e.getErrorCode() == 1213
                || e.getErrorCode() == 1205;
    }

    /**
     * Waits until the new host applied a heartbeat the daemon wrote after the load stopped: commits
     * arrive in order, so every shop write (and the initial snapshot) is then applied.
     *
     * @throws IllegalStateException when replication failed or did not catch up within 120 s
     */
    private static void awaitCatchUp(Pipeline pipeline) throws InterruptedException {
        long stopped = System.currentTimeMillis();
        while (System.currentTimeMillis() - pipeline.lag().lagSeconds() * 1000 <= stopped) {
            if (pipeline.failure() != null) {
                throw new IllegalStateException("replication failed: " + pipeline.failure().getMessage(), pipeline.failure());
            }
            if (System.currentTimeMillis() > stopped + CATCH_UP_TIMEOUT_MS) {
                throw new IllegalStateException("the new host did not catch up within " + CATCH_UP_TIMEOUT_MS / 1000 + " s");
            }
            Thread.sleep(100);
        }
    }

    /**
     * Compares every shop table with {@code overlap verify}'s {@link Verifier} (chunked hashes, the
     * engine's dialect), live: a difference is re-checked once the new host has applied past the old
     * host's position, so writes still in flight when the load stopped are not reported.
     */
    private boolean verify(OverlapConfig config) throws SQLException, InterruptedException {
        EndpointDatabases databases = new EndpointDatabases(config.source(), config.target(), Duration.ZERO);
        ChecksumDialect dialect;
        PipelineWatermark watermark;
        try (Engine engine = Engines.connect(config)) {
            dialect = engine.checksumDialect();
            watermark = engine.watermark(databases::openTarget);
        }
        String schema = config.source().kind() == DatabaseKind.POSTGRESQL ? "public" : config.source().database();
        List<TableName> tables = ShopWorkload.TABLES.stream().map(t -> new TableName(schema, t)).toList();
        VerifyReport report;
        try (VerifyProgress progress = VerifyProgress.forOutput(false)) {
            report = new Verifier(dialect, databases, VerifyOptions.defaults(2, true, 10), watermark, progress).verify(tables);
        }
        for (TableReport r : report.tables()) {
            printTable(r.table(), r.sourceRows(), r.targetRows(), r.equal(), String.valueOf(r.rowDifferences()));
        }
        if (report.equal()) {
            out.printf("Verified in %.1f s (chunked hashes, differences re-checked after the new host caught up).%n", report.seconds());
        }
        return result(report.equal(), report.sourceRows(), report.tablesCompared());
    }

    private void printTable(String table, long sourceRows, long targetRows, boolean equal, String differences) {
        out.printf("  %-22s source %,9d rows  target %,9d rows  %s%n", table, sourceRows, targetRows,
                equal ? "identical" : "DIFFERENT: " + differences);
    }

    private boolean result(boolean equal, long rows, int tables) {
        if (equal) {
            out.printf("source and target identical: %,d rows in %d tables%n", rows, tables);
        } else {
            out.println("source and target DIFFER");
        }
        return equal;
    }
}
