package dev.overlap.bench;

import dev.overlap.it.DatabaseServer;
import dev.overlap.it.PgbenchWorkload;
import dev.overlap.it.SysbenchOltpWorkload;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * End-to-end apply benchmark on this machine, per engine (PostgreSQL, MariaDB, MySQL): two servers of
 * the engine and the daemon ({@code overlap.jar} with {@code -Xmx512m}, a separate JVM, as deployed)
 * share the cores. Per engine: an insert burst into an empty table (transactions of 1,000 rows), and
 * a 30 s OLTP run from 4 clients (PostgreSQL: pgbench TPC-B at half the source's maximum rate;
 * MySQL/MariaDB: sysbench {@code oltp_read_write}); the burst also through the engine's native
 * replication (PostgreSQL, MariaDB), and on MariaDB a single-row OLTP backlog applied by Overlap and
 * by the native single-threaded replica.
 *
 * <p>Lag is measured per row without clock skew ({@link BenchEngine}): the source stamps each row when
 * it writes it, the target stamps it again in a column the apply does not set, and both servers read
 * the same clock. p50/p99 are over the rows of the scenario (OLTP: the rows written during the run, by
 * their last change). Peak heap is the largest {@code jvm_memory_used_bytes{area="heap"}} sum the
 * daemon's own {@code /metrics} reported, sampled every 100 ms.
 */
public final class ApplyBenchmark {
    private static final int OLTP_CLIENTS = 4;
    private static final int SYSBENCH_TABLES = 4;
    private static final int SYSBENCH_ROWS = 25_000;
    /**
     * Seconds of OLTP load the daemon gets before the lag is measured: its first seconds of streaming
     * (JIT compilation, each table's first statements) are not its steady state, and a daemon runs for weeks.
     */
    private static final int WARMUP_SECONDS = 10;
    /** The type of the sbtest tables' {@code mtime} (source and target) and {@code applied_at} (target) columns. */
    private static final String STAMP = " DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)";

    private ApplyBenchmark() {
    }

    /**
     * @param args optional: rows of the insert burst (default 200000), seconds of the OLTP run (default 30; 0
     *        skips it), engines as a comma list (default {@code postgresql,mariadb,mysql}); the system property
     *        {@code overlap.bench.target-url-options} appends JDBC options to the daemon's target URL
     */
    public static void main(String[] args) throws Exception {
        int burstRows = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int oltpSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        List<BenchEngine> engines = Arrays.stream((args.length > 2 ? args[2] : "postgresql,mariadb,mysql").split(","))
                .filter(s -> !s.isBlank()).map(BenchEngine::of).toList();
        List<String> report = new ArrayList<>();
        for (BenchEngine engine : engines) {
            System.out.printf("== %s: starting two servers...%n", engine.route());
            try (DatabaseServer source = engine.start(false); DatabaseServer target = engine.start(true)) {
                Burst ours = burst(engine, source, target, burstRows);
                Burst native_ = engine == BenchEngine.MYSQL ? null : nativeBurst(engine, source, target, burstRows);
                if (native_ != null) {
                    report.add(native_.line());
                }
                report.add(ours.line() + (native_ == null ? "" : String.format(Locale.ROOT, "   %.2fx native", ours.rate() / native_.rate())));
                if (oltpSeconds > 0) {
                    report.add(engine.binlog() ? sysbench(engine, source, target, oltpSeconds) : pgbench(source, target, oltpSeconds));
                }
                if (oltpSeconds > 0 && engine == BenchEngine.MARIADB) {
                    report.addAll(singleRowBacklog(engine, source, target, oltpSeconds));
                }
            }
        }
        System.out.println();
        System.out.printf("%-58s %12s %12s %10s %10s %14s%n", "scenario", "rows", "rows/s", "lag p50", "lag p99", "peak heap");
        report.forEach(System.out::println);
        System.exit(0);
    }

    /**
     * @param line the report's line
     * @param rate rows/s
     */
    private record Burst(String line, double rate) {
    }

    /**
     * The same insert burst through the engine's own replication, in a database of its own on the same two
     * servers: PostgreSQL logical replication ({@code CREATE SUBSCRIPTION … WITH (copy_data = false)}), MariaDB
     * replication (a single-threaded replica from the binlog position after the tables exist), each row's
     * lag measured the same way.
     */
    private static Burst nativeBurst(BenchEngine engine, DatabaseServer source, DatabaseServer target, int rows) throws Exception {
        String db = "burst_native";
        source.createDatabase(db);
        target.createDatabase(db);
        execute(source, db, engine.burstTable(false));
        execute(target, db, engine.burstTable(true));
        URI src = URI.create(source.jdbcUrl(db).substring(5));
        String label;
        if (engine.binlog()) {
            changeMaster(source, target, db);
            execute(target, db, "START SLAVE");
            label = "insert burst, native replica, 1 thread (" + engine.route() + ")";
        } else {
            execute(source, db, "CREATE PUBLICATION bench_native FOR TABLE bench_rows");
            execute(target, db, "CREATE SUBSCRIPTION bench_native CONNECTION 'host=127.0.0.1 port=" + src.getPort() + " dbname=" + db
                    + " user=" + source.superuser() + " password=" + source.superuserPassword() + "' PUBLICATION bench_native"
                    + " WITH (copy_data = false)");
            awaitActiveSlot(source, db, "bench_native");
            label = "insert burst, native subscription (" + engine.route() + ")";
        }
        try {
            System.out.printf("native burst: inserting %,d rows in transactions of 1,000...%n", rows);
            long start = System.nanoTime();
            insertBurst(engine, source, db, rows);
            if (engine.binlog()) {
                // the replica evaluates CURRENT_TIMESTAMP at the source's event time, so its rows carry no apply
                // time: the figure is the wall time from the first insert until the replica holds every row
                awaitReplica(target, db, rows);
                double seconds = (System.nanoTime() - start) / 1e9;
                return new Burst(String.format(Locale.ROOT, "%-58s %,12d %,12.0f %10s %10s %14s   (%.1f s, wall)", label, rows,
                        rows / seconds, "n/a", "n/a", "n/a", seconds), rows / seconds);
            }
            awaitCount(target, db, "bench_rows", rows);
            Lag lag = lag(target, db, engine.lagMicros("bench_rows", "created_at", null));
            double seconds = single(target, db, engine.burstSpanSeconds());
            return new Burst(String.format(Locale.ROOT, "%-58s %,12d %,12.0f %8.0fms %8.0fms %14s   (%.1f s)", label, lag.rows,
                    lag.rows / seconds, lag.p50 * 1000, lag.p99 * 1000, "n/a", seconds), lag.rows / seconds);
        } finally {
            execute(target, db, engine.binlog() ? "STOP SLAVE" : "DROP SUBSCRIPTION bench_native");
            if (engine.binlog()) {
                execute(target, db, "RESET SLAVE ALL");
            }
        }
    }

    /**
     * Points the target's native replica (MariaDB, single-threaded) at the source's binlog position now, without
     * starting it.
     */
    private static void changeMaster(DatabaseServer source, DatabaseServer target, String db) throws SQLException {
        URI src = URI.create(source.jdbcUrl(db).substring(5));
        String file;
        long pos;
        try (Connection c = source.connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
            rs.next();
            file = rs.getString("File");
            pos = rs.getLong("Position");
        }
        execute(target, db, "CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = " + src.getPort() + ", MASTER_USER = '"
                + source.superuser() + "', MASTER_PASSWORD = '" + source.superuserPassword() + "', MASTER_LOG_FILE = '" + file
                + "', MASTER_LOG_POS = " + pos + ", MASTER_USE_GTID = no, MASTER_SSL = 0");
    }

    /**
     * Single-row OLTP applied from a backlog, Overlap against MariaDB's native single-threaded replica: sysbench
     * {@code oltp_update_non_index} (4 clients, each transaction one row) runs for {@code seconds} while the consumer
     * is stopped; then the consumer starts, and the figure is the backlog's transactions over the time it took to
     * apply them. Native: the replica copies the tables' rows from the binlog, stops, and after the workload starts
     * again; its time runs from {@code START SLAVE} until the target holds the source's last change (polled every
     * 50 ms). Overlap: the daemon copies the tables, stops, and after the workload starts again from its stored
     * offset; its time is from its first to its last apply (the target's {@code applied_at}), without the JVM's start.
     *
     * @return the native line and Overlap's line with the ratio
     */
    private static List<String> singleRowBacklog(BenchEngine engine, DatabaseServer source, DatabaseServer target, int seconds)
            throws Exception {
        String nativeDb = "single_native";
        source.createDatabase(nativeDb);
        target.createDatabase(nativeDb);
        createSbtest(source, nativeDb, " ADD mtime" + STAMP);
        createSbtest(target, nativeDb, " ADD mtime" + STAMP);
        changeMaster(source, target, nativeDb);
        SysbenchOltpWorkload nativeWorkload = new SysbenchOltpWorkload(source, nativeDb, SYSBENCH_TABLES, SYSBENCH_ROWS);
        nativeWorkload.prepare();
        double nativeRate;
        long nativeTransactions;
        try {
            execute(target, nativeDb, "START SLAVE");
            awaitSbtest(source, target, nativeDb);
            execute(target, nativeDb, "STOP SLAVE");
            System.out.printf("single-row OLTP backlog, native replica stopped: %d clients for %d s...%n", OLTP_CLIENTS, seconds);
            nativeTransactions = nativeWorkload.runUpdateNonIndex(OLTP_CLIENTS, seconds);
            long start = System.nanoTime();
            execute(target, nativeDb, "START SLAVE");
            awaitSbtest(source, target, nativeDb);
            nativeRate = nativeTransactions / ((System.nanoTime() - start) / 1e9);
        } finally {
            execute(target, nativeDb, "STOP SLAVE");
            execute(target, nativeDb, "RESET SLAVE ALL");
        }
        String db = "single";
        source.createDatabase(db);
        target.createDatabase(db);
        createSbtest(source, db, " ADD mtime" + STAMP);
        createSbtest(target, db, " ADD mtime" + STAMP + ", ADD applied_at" + STAMP);
        SysbenchOltpWorkload workload = new SysbenchOltpWorkload(source, db, SYSBENCH_TABLES, SYSBENCH_ROWS);
        workload.prepare();
        try (Daemon daemon = Daemon.start(source, target, db, "initial", "")) {
            awaitSbtest(source, target, db);
            daemon.awaitFirstEvent();
        }
        System.out.printf("single-row OLTP backlog, overlap stopped: %d clients for %d s...%n", OLTP_CLIENTS, seconds);
        long transactions = workload.runUpdateNonIndex(OLTP_CLIENTS, seconds);
        String since = "'" + text(target, db, "SELECT DATE_FORMAT(CURRENT_TIMESTAMP(6), '%Y-%m-%d %H:%i:%s.%f')") + "'";
        double rate;
        long heap;
        try (Daemon daemon = Daemon.start(source, target, db, "initial", "")) {
            awaitSbtest(source, target, db);
            heap = daemon.peakHeapBytes();
            List<String> stamps = new ArrayList<>();
            for (int t = 1; t <= SYSBENCH_TABLES; t++) {
                stamps.add("SELECT applied_at FROM sbtest" + t + " WHERE applied_at >= " + since);
            }
            rate = transactions / single(target, db, "SELECT TIMESTAMPDIFF(MICROSECOND, MIN(applied_at), MAX(applied_at)) / 1000000.0 FROM ("
                    + String.join(" UNION ALL ", stamps) + ") a");
        }
        String nativeLine = String.format(Locale.ROOT, "%-58s %,12d %,12.0f %10s %10s %14s   (from START SLAVE, wall)",
                "single-row OLTP backlog, native replica, 1 thread (" + engine.route() + ")", nativeTransactions, nativeRate,
                "n/a", "n/a", "n/a");
        String ours = String.format(Locale.ROOT, "%-58s %,12d %,12.0f %10s %10s %11.0f MiB   %.2fx native",
                "single-row OLTP backlog (" + engine.route() + ")", transactions, rate, "n/a", "n/a", heap / 1048576.0,
                rate / nativeRate);
        return List.of(nativeLine, ours);
    }

    /** Creates the sbtest tables in {@code db}, each with {@code alter} ({@code ALTER TABLE … <alter>}) applied. */
    private static void createSbtest(DatabaseServer server, String db, String alter) throws SQLException {
        for (int t = 1; t <= SYSBENCH_TABLES; t++) {
            execute(server, db, SysbenchOltpWorkload.ddl(t));
            execute(server, db, "ALTER TABLE sbtest" + t + alter);
        }
    }

    /** Waits until every sbtest table holds the source's rows and its last change ({@code mtime}). */
    private static void awaitSbtest(DatabaseServer source, DatabaseServer target, String db) throws Exception {
        for (int t = 1; t <= SYSBENCH_TABLES; t++) {
            awaitSame(source, target, db, "SELECT CONCAT(COUNT(*), ' ', DATE_FORMAT(MAX(mtime), '%Y-%m-%d %H:%i:%s.%f')) FROM sbtest" + t);
        }
    }

    /** Waits for the replica to hold the rows; fails at once with the replica's error when a thread stopped on one. */
    private static void awaitReplica(DatabaseServer target, String db, long rows) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        try (Connection c = target.connect(db); Statement st = c.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM bench_rows")) {
                    rs.next();
                    if (rs.getLong(1) >= rows) {
                        return;
                    }
                }
                try (ResultSet rs = st.executeQuery("SHOW SLAVE STATUS")) {
                    if (rs.next() && (!rs.getString("Last_IO_Error").isEmpty() || !rs.getString("Last_SQL_Error").isEmpty())) {
                        throw new IllegalStateException("the native replica stopped: " + rs.getString("Last_IO_Error") + " "
                                + rs.getString("Last_SQL_Error"));
                    }
                }
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("the native replica did not reach " + rows + " rows within 10 minutes");
    }

    /** Inserts rows 1..rows of the burst on the source, in transactions of 1,000. */
    private static void insertBurst(BenchEngine engine, DatabaseServer source, String db, int rows) throws SQLException {
        try (Connection c = session(engine, source, db); Statement st = c.createStatement()) {
            for (int from = 1; from <= rows; from += 1000) {
                st.execute(engine.burstInsert(from, Math.min(rows, from + 999)));
            }
        }
    }

    private static void awaitActiveSlot(DatabaseServer source, String db, String slot) throws Exception {
        try (Connection c = source.connect(db); Statement st = c.createStatement()) {
            for (int i = 0; i < 600; i++) {
                try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_replication_slots WHERE active AND slot_name = '" + slot + "'")) {
                    if (rs.next()) {
                        return;
                    }
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("the subscription did not start within 60 s");
    }

    private static Burst burst(BenchEngine engine, DatabaseServer source, DatabaseServer target, int rows) throws Exception {
        String db = "burst";
        source.createDatabase(db);
        target.createDatabase(db);
        execute(source, db, engine.burstTable(false));
        execute(target, db, engine.burstTable(true));
        try (Daemon daemon = Daemon.start(source, target, db, "never", "")) {
            if (engine.binlog()) {
                daemon.awaitFirstEvent();
            } else {
                daemon.awaitSlot(source, db);
            }
            System.out.printf("burst: inserting %,d rows in transactions of 1,000...%n", rows);
            insertBurst(engine, source, db, rows);
            awaitCount(target, db, "bench_rows", rows);
            Lag lag = lag(target, db, engine.lagMicros("bench_rows", "created_at", null));
            double seconds = single(target, db, engine.burstSpanSeconds());
            return new Burst(row("insert burst (" + engine.route() + ")", lag.rows, lag.rows / seconds, lag, daemon.peakHeapBytes())
                    + String.format(Locale.ROOT, "   (%.1f s; apply transactions busy %.1f s)", seconds, daemon.applySeconds()),
                    lag.rows / seconds);
        }
    }

    /**
     * pgbench TPC-B at a steady load: first {@code seconds / 3} (at least 10 s) as fast as the source alone takes
     * it, its maximum rate; then, with the daemon streaming, {@link #WARMUP_SECONDS} and then {@code seconds} at
     * half that rate ({@code pgbench -R}). The lag is over the {@code pgbench_history} rows of the last run.
     */
    private static String pgbench(DatabaseServer source, DatabaseServer target, int seconds) throws Exception {
        String db = "pgbench";
        source.createDatabase(db);
        target.createDatabase(db);
        PgbenchWorkload workload = new PgbenchWorkload(source, db);
        workload.initialize(1, true);
        new PgbenchWorkload(target, db).initialize(1, false);
        execute(source, db, "ALTER TABLE pgbench_history REPLICA IDENTITY FULL");
        execute(target, db, "ALTER TABLE pgbench_history ADD applied_at timestamp(6) DEFAULT clock_timestamp()");
        int probeSeconds = Math.max(10, seconds / 3);
        System.out.printf("pgbench: %d clients for %d s on the source alone, its maximum rate (%s)...%n", OLTP_CLIENTS,
                probeSeconds, workload.route());
        long probed = workload.run(OLTP_CLIENTS, probeSeconds, 1);
        double maxTps = probed / (double) probeSeconds;
        int halfTps = (int) Math.max(1, maxTps / 2);
        try (Daemon daemon = Daemon.start(source, target, db, "initial", "")) {
            awaitCount(target, db, "pgbench_history", probed);
            daemon.awaitFirstEvent();
            System.out.printf("pgbench: %d clients at %,d tps, half the source's maximum of %,.0f: %d s to warm up, %d s measured...%n",
                    OLTP_CLIENTS, halfTps, maxTps, WARMUP_SECONDS, seconds);
            long warmup = workload.run(OLTP_CLIENTS, WARMUP_SECONDS, 1, halfTps);
            long before = daemon.appliedEvents();
            String since = "'" + text(source, db, "SELECT to_char(localtimestamp, 'YYYY-MM-DD HH24:MI:SS.US')") + "'";
            long start = System.nanoTime();
            long transactions = workload.run(OLTP_CLIENTS, seconds, 1, halfTps);
            awaitCount(target, db, "pgbench_history", probed + warmup + transactions);
            double elapsed = (System.nanoTime() - start) / 1e9;
            long events = daemon.appliedEvents() - before;
            Lag lag = lag(target, db, BenchEngine.POSTGRESQL.lagMicros("pgbench_history", "mtime", since));
            return row("pgbench TPC-B, 4 clients, half max rate (PG -> PG)", events, events / elapsed, lag, daemon.peakHeapBytes())
                    + String.format(Locale.ROOT, "   (%,d transactions, %.0f tps; the source alone: %.0f tps)", transactions,
                    transactions / (double) seconds, maxTps);
        }
    }

    /**
     * sysbench {@code oltp_read_write} on MySQL/MariaDB, {@link #WARMUP_SECONDS} and then {@code seconds}, the lag
     * measured over the last. The tables get a source column {@code mtime}
     * ({@code DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)}, so every insert and update
     * stamps it) and on the target also {@code applied_at} with the same default and ON UPDATE, which
     * the apply never sets: a row's lag is {@code applied_at - mtime} of its last change.
     */
    private static String sysbench(BenchEngine engine, DatabaseServer source, DatabaseServer target, int seconds) throws Exception {
        String db = "oltp";
        source.createDatabase(db);
        target.createDatabase(db);
        createSbtest(source, db, " ADD mtime" + STAMP);
        createSbtest(target, db, " ADD mtime" + STAMP + ", ADD applied_at" + STAMP);
        SysbenchOltpWorkload workload = new SysbenchOltpWorkload(source, db, SYSBENCH_TABLES, SYSBENCH_ROWS);
        workload.prepare();
        try (Daemon daemon = Daemon.start(source, target, db, "initial", "")) {
            for (int t = 1; t <= SYSBENCH_TABLES; t++) {
                awaitCount(target, db, "sbtest" + t, SYSBENCH_ROWS);
            }
            daemon.awaitFirstEvent();
            System.out.printf("sysbench oltp_read_write: %d clients, %d s to warm up, %d s measured...%n", OLTP_CLIENTS,
                    WARMUP_SECONDS, seconds);
            workload.run(OLTP_CLIENTS, WARMUP_SECONDS);
            long before = daemon.appliedEvents();
            String since = "'" + text(source, db, "SELECT DATE_FORMAT(CURRENT_TIMESTAMP(6), '%Y-%m-%d %H:%i:%s.%f')") + "'";
            long start = System.nanoTime();
            long transactions = workload.run(OLTP_CLIENTS, seconds);
            awaitSbtest(source, target, db);
            double elapsed = (System.nanoTime() - start) / 1e9;
            long events = daemon.appliedEvents() - before;
            List<String> lags = new ArrayList<>();
            for (int t = 1; t <= SYSBENCH_TABLES; t++) {
                lags.add(engine.lagMicros("sbtest" + t, "mtime", since));
            }
            Lag lag = lag(target, db, String.join(" UNION ALL ", lags));
            return row("sysbench oltp_read_write, 4 clients (" + engine.route() + ")", events, events / elapsed, lag,
                    daemon.peakHeapBytes())
                    + String.format(Locale.ROOT, "   (%,d transactions, %.0f tps)", transactions, transactions / (double) seconds);
        }
    }

    private record Lag(long rows, double p50, double p99) {
    }

    /** @param sql a query of one column, each row's lag in microseconds */
    private static Lag lag(DatabaseServer target, String db, String sql) throws SQLException {
        long[] micros = new long[1024];
        int n = 0;
        try (Connection c = target.connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                if (n == micros.length) {
                    micros = Arrays.copyOf(micros, n * 2);
                }
                micros[n++] = rs.getLong(1);
            }
        }
        Arrays.sort(micros, 0, n);
        return new Lag(n, percentile(micros, n, 0.50) / 1e6, percentile(micros, n, 0.99) / 1e6);
    }

    private static double percentile(long[] sorted, int n, double p) {
        return n == 0 ? 0 : sorted[(int) Math.min(n - 1, Math.ceil(p * n) - 1)];
    }

    private static String row(String scenario, long rows, double rate, Lag lag, long heap) {
        return String.format(Locale.ROOT, "%-58s %,12d %,12.0f %8.0fms %8.0fms %11.0f MiB", scenario, rows, rate,
                lag.p50 * 1000, lag.p99 * 1000, heap / 1048576.0);
    }

    private static Connection session(BenchEngine engine, DatabaseServer server, String db) throws SQLException {
        Connection c = server.connect(db);
        if (engine.sessionSql() != null) {
            try (Statement st = c.createStatement()) {
                st.execute(engine.sessionSql());
            }
        }
        return c;
    }

    private static void execute(DatabaseServer server, String db, String sql) throws SQLException {
        try (Connection c = server.connect(db); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static double single(DatabaseServer server, String db, String sql) throws SQLException {
        try (Connection c = server.connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getDouble(1);
        }
    }

    private static String text(DatabaseServer server, String db, String sql) throws SQLException {
        try (Connection c = server.connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Waits until a one-value query answers the same on the target as on the source (read once). */
    private static void awaitSame(DatabaseServer source, DatabaseServer target, String db, String sql) throws Exception {
        String expected = text(source, db, sql);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (expected == null || expected.equals(text(target, db, sql))) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the target did not catch up within 10 minutes: " + sql);
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
