package dev.overlap.bench;

import dev.overlap.it.DatabaseServer;
import dev.overlap.it.PgbenchWorkload;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * End-to-end apply benchmark on this machine: two PostgreSQL servers and the daemon
 * ({@code overlap.jar} with {@code -Xmx512m}, a separate JVM, as deployed) share the cores.
 *
 * <p>Lag is measured per row without clock skew: the source stamps {@code created_at} with
 * {@code clock_timestamp()} at insert, the target table has an extra column {@code applied_at}
 * defaulting to {@code clock_timestamp()} that the apply does not set, and both servers read the same
 * clock. Peak heap is the largest {@code jvm_memory_used_bytes{area="heap"}} sum the daemon's own
 * {@code /metrics} reported, sampled every 100 ms.
 */
public final class ApplyBenchmark {
    private ApplyBenchmark() {
    }

    /**
     * @param args optional: rows of the insert burst (default 200000), seconds of the pgbench run (default 30)
     */
    public static void main(String[] args) throws Exception {
        int burstRows = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int pgbenchSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        List<String> report = new ArrayList<>();
        try (DatabaseServer source = DatabaseServer.postgres(); DatabaseServer target = DatabaseServer.postgres()) {
            report.add(burst(source, target, burstRows));
            report.add(pgbench(source, target, pgbenchSeconds));
        }
        System.out.println();
        System.out.printf("%-34s %12s %12s %10s %10s %14s%n", "scenario", "rows", "rows/s", "lag p50", "lag p99", "peak heap");
        report.forEach(System.out::println);
        System.exit(0);
    }

    private static String burst(DatabaseServer source, DatabaseServer target, int rows) throws Exception {
        String db = "burst";
        source.createDatabase(db);
        target.createDatabase(db);
        String table = "CREATE TABLE bench_rows (id bigint PRIMARY KEY, account int NOT NULL, amount numeric(12,2) NOT NULL,"
                + " note text, created_at timestamp(6) NOT NULL DEFAULT clock_timestamp()";
        execute(source, db, table + ")");
        execute(target, db, table + ", applied_at timestamp(6) NOT NULL DEFAULT clock_timestamp())");
        try (Daemon daemon = Daemon.start(source, target, db, "never", "")) {
            daemon.awaitSlot(source, db);
            System.out.printf("burst: inserting %,d rows in transactions of 1,000...%n", rows);
            try (Connection c = source.connect(db); Statement st = c.createStatement()) {
                for (int from = 1; from <= rows; from += 1000) {
                    st.execute("INSERT INTO bench_rows (id, account, amount, note) SELECT i, i % 1000, (i % 10000) / 100.0,"
                            + " 'row ' || i FROM generate_series(" + from + ", " + Math.min(rows, from + 999) + ") i");
                }
            }
            awaitCount(target, db, "bench_rows", rows);
            Lag lag = lag(target, db, "SELECT count(*), extract(epoch FROM max(applied_at) - min(created_at)),"
                    + " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM applied_at - created_at)),"
                    + " percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM applied_at - created_at)) FROM bench_rows");
            return row("insert burst (PG -> PG)", lag.rows, lag.rows / lag.seconds, lag, daemon.peakHeapBytes());
        }
    }

    private static String pgbench(DatabaseServer source, DatabaseServer target, int seconds) throws Exception {
        String db = "pgbench";
        source.createDatabase(db);
        target.createDatabase(db);
        PgbenchWorkload workload = new PgbenchWorkload(source, db);
        workload.initialize(1, true);
        new PgbenchWorkload(target, db).initialize(1, false);
        execute(source, db, "ALTER TABLE pgbench_history REPLICA IDENTITY FULL");
        execute(target, db, "ALTER TABLE pgbench_history ADD applied_at timestamp(6) DEFAULT clock_timestamp()");
        try (Daemon daemon = Daemon.start(source, target, db, "initial", "")) {
            awaitCount(target, db, "pgbench_accounts", 100_000);
            long before = daemon.appliedEvents();
            System.out.printf("pgbench: 4 clients for %d s (%s)...%n", seconds, workload.route());
            long start = System.nanoTime();
            long transactions = workload.run(4, seconds, 1);
            awaitCount(target, db, "pgbench_history", transactions);
            double elapsed = (System.nanoTime() - start) / 1e9;
            long events = daemon.appliedEvents() - before;
            Lag lag = lag(target, db, "SELECT count(*), 0,"
                    + " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM applied_at - mtime)),"
                    + " percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM applied_at - mtime)) FROM pgbench_history");
            return row("pgbench TPC-B, 4 clients (PG -> PG)", events, events / elapsed, lag, daemon.peakHeapBytes())
                    + String.format(Locale.ROOT, "   (%,d transactions, %.0f tps)", transactions, transactions / (double) seconds);
        }
    }

    private record Lag(long rows, double seconds, double p50, double p99) {
    }

    private static Lag lag(DatabaseServer target, String db, String sql) throws SQLException {
        try (Connection c = target.connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return new Lag(rs.getLong(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4));
        }
    }

    private static String row(String scenario, long rows, double rate, Lag lag, long heap) {
        return String.format(Locale.ROOT, "%-34s %,12d %,12.0f %8.0fms %8.0fms %11.0f MiB", scenario, rows, rate,
                lag.p50 * 1000, lag.p99 * 1000, heap / 1048576.0);
    }

    private static void execute(DatabaseServer server, String db, String sql) throws SQLException {
        try (Connection c = server.connect(db); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static void awaitCount(DatabaseServer server, String db, String table, long rows) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        try (Connection c = server.connect(db); Statement st = c.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
                    rs.next();
                    if (rs.getLong(1) >= rows) {
                        return;
                    }
                }
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException(table + " did not reach " + rows + " rows on the target within 10 minutes");
    }
}
