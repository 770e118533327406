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
import dev.overlap.replicator.config.Engine;
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
 * {@code overlap demo}: two embedded servers of one engine (PostgreSQL, MariaDB or MySQL), a seeded shop
 * on the old one, replication to the new one while two clients keep shopping, then a comparison of
 * every table. Prints a progress line each second and ends with
 * {@code source and target identical: N rows in M tables}.
 *
 * <p>PostgreSQL is compared by {@code overlap verify}'s {@link Verifier} (chunked hashes); MariaDB and
 * MySQL, once the new host applied a heartbeat written after the load stopped, row by row
 * ({@link RowComparison}).
 */
public final class Demo {
    private static final int CLIENTS = 2;
    private static final long CATCH_UP_TIMEOUT_MS = 120_000;
    private static final int COMPARE_ATTEMPTS = 3;
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
        return run(Engine.POSTGRESQL, orders, seconds);
    }

    /**
     * @param engine the engine of both servers
     * @param orders orders seeded before replication starts
     * @param seconds how long the live load runs
     * @return whether source and target ended identical
     * @throws Exception when a server cannot start or a database fails
     */
    public boolean run(Engine engine, int orders, int seconds) throws Exception {
        out.println("Starting two embedded " + label(engine) + " servers (old host, new host)...");
        try (EmbeddedServer oldHost = start(engine, 1); EmbeddedServer newHost = start(engine, 2)) {
            oldHost.createDatabase("shop");
            newHost.createDatabase("shop");
            ShopWorkload shop = new ShopWorkload(engine == Engine.POSTGRESQL ? new PostgresShopSql() : new MySqlShopSql());
            try (Connection source = oldHost.connect("shop"); Connection target = newHost.connect("shop")) {
                shop.createSchema(source);
                shop.createSchema(target);
                shop.seed(source, orders);
            }
            out.printf("Seeded the old host: %,d orders. Schema restored on the new host.%n", orders);

            String password = engine == Engine.POSTGRESQL ? "demo" : "";
            OverlapConfig config = new ConfigLoader(Map.of("OVERLAP_DEMO_PASSWORD", password)::get).parse("""
                    pipeline: demo
                    source: {url: "%s", user: %s, password: "${env:OVERLAP_DEMO_PASSWORD}"}
                    target: {url: "%s", user: %s, password: "${env:OVERLAP_DEMO_PASSWORD}"}
                    %smetrics: {listen: "127.0.0.1:0"}
                    """.formatted(oldHost.jdbcUrl("shop"), oldHost.superuser(), newHost.jdbcUrl("shop"), newHost.superuser(),
                    engine == Engine.POSTGRESQL ? "tables: {include: [public.*]}\n" : ""), "demo config");
            PipelineMetrics metrics = new PipelineMetrics(config.pipeline());
            try (Pipeline pipeline = new Pipeline(config, metrics)) {
                pipeline.start();
                out.printf("Replicating; metrics at http://127.0.0.1:%d/metrics%n", pipeline.metricsAddress().getPort());
                long written = runLoad(shop, oldHost, metrics, pipeline, seconds);
                out.printf("Load stopped after %,d rows written on the old host; waiting for the new host to catch up...%n", written);
                return engine == Engine.POSTGRESQL ? verify(config) : compareRows(oldHost, newHost, pipeline);
            }
        }
    }

    private static String label(Engine engine) {
        return switch (engine) {
            case POSTGRESQL -> "PostgreSQL";
            case MARIADB -> "MariaDB";
            case MYSQL -> "MySQL";
        };
    }

    /** @param serverId the binlog {@code server_id} (1 old host, 2 new host); PostgreSQL has none */
    private static EmbeddedServer start(Engine engine, int serverId) {
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

    /** @return whether two shop clients ran into each other (deadlock, lock wait timeout); the transaction is retried */
    private static boolean deadlock(SQLException e) {
        return "40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState()) || e.getErrorCode() == 1213
                || e.getErrorCode() == 1205;
    }

    private boolean verify(OverlapConfig config)
            throws SQLException, InterruptedException {
        Databases databases = new EndpointDatabases(config.source(), config.target());
        ReplicationWatermark watermark = new OffsetWatermark(config.pipeline(), () -> Connections.open(config.target()));
        List<TableName> tables = ShopWorkload.TABLES.stream().map(t -> new TableName("public", t)).toList();
        VerifyReport report;
        try (VerifyProgress progress = VerifyProgress.forOutput(false)) {
            report = new Verifier(new PostgresChecksumDialect(), databases, VerifyOptions.defaults(2, true, 10), watermark, progress)
                    .verify(tables);
        }
        for (TableReport r : report.tables()) {
            printTable(r.table(), r.sourceRows(), r.targetRows(), r.equal(), String.valueOf(r.rowDifferences()));
        }
        if (report.equal()) {
            out.printf("Verified in %.1f s (chunked hashes, differences re-checked after the new host caught up).%n", report.seconds());
        }
        return result(report.equal(), report.sourceRows(), report.tablesCompared());
    }

    /**
     * MariaDB/MySQL: waits until the new host applied a heartbeat the daemon wrote after the load
     * stopped (commits arrive in order, so every shop write is then applied), then compares row by row;
     * a difference is compared again, up to {@value #COMPARE_ATTEMPTS} times, 2 s apart.
     */
    private boolean compareRows(EmbeddedServer oldHost, EmbeddedServer newHost, Pipeline pipeline)
            throws SQLException, InterruptedException {
        long stopped = System.currentTimeMillis();
        while (System.currentTimeMillis() - pipeline.lag().lagSeconds() * 1000 <= stopped
                && System.currentTimeMillis() < stopped + CATCH_UP_TIMEOUT_MS && pipeline.failure() == null) {
            Thread.sleep(100);
        }
        if (pipeline.failure() != null) {
            throw new IllegalStateException("replication failed: " + pipeline.failure().getMessage(), pipeline.failure());
        }
        long start = System.nanoTime();
        List<RowComparison.TableResult> results = List.of();
        for (int attempt = 1; attempt <= COMPARE_ATTEMPTS; attempt++) {
            try (Connection source = oldHost.connect("shop"); Connection target = newHost.connect("shop")) {
                results = RowComparison.compare(source, target, ShopWorkload.TABLES);
            }
            if (results.stream().allMatch(RowComparison.TableResult::equal) || attempt == COMPARE_ATTEMPTS) {
                break;
            }
            Thread.sleep(2000);
        }
        boolean equal = results.stream().allMatch(RowComparison.TableResult::equal);
        for (RowComparison.TableResult r : results) {
            printTable(r.table(), r.sourceRows(), r.targetRows(), r.equal(),
                    r.differentRows() + " rows, first: " + r.firstDifference());
        }
        if (equal) {
            out.printf("Compared in %.1f s (row counts, then every row in key order, after the new host caught up).%n",
                    (System.nanoTime() - start) / 1e9);
        }
        return result(equal, results.stream().mapToLong(RowComparison.TableResult::sourceRows).sum(), results.size());
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
