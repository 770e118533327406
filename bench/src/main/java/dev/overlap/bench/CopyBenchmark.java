package dev.overlap.bench;

import dev.overlap.it.DatabaseServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Initial copy benchmark: one table {@code t(id bigint primary key, note text, amount numeric(12,2),
 * created timestamp, doc json)} of N rows (default 1,000,000) copied from a source server to a target
 * server of the same engine on this machine, by the database's own tools and by Overlap, in the same run:
 * <ul>
 *   <li>PostgreSQL: {@code pg_dump --data-only --table t | psql} (the Debian client programs, when their
 *       major version is at least the server's; else the same COPY text through {@code psql \copy}), native
 *       logical replication's initial table sync ({@code CREATE SUBSCRIPTION … WITH (copy_data = true)},
 *       timed until {@code pg_subscription_rel} says ready), and Overlap's initial copy;</li>
 *   <li>MariaDB: {@code mariadb-dump --no-create-info | mariadb} (the programs of the server's own
 *       release), and Overlap's initial copy.</li>
 * </ul>
 * Overlap's figure is the copy's own time from its log line ({@code initial copy finished: … in S s}),
 * from the snapshot to the stored offset, and, in brackets, the wall time from the daemon's start
 * (JVM start, preflight) to the stored offset. Each target table is empty before its copy; every copy's
 * row count is checked. Peak heap is the daemon's largest {@code jvm_memory_used_bytes{area="heap"}}.
 */
public final class CopyBenchmark {
    private static final Pattern COPY_SECONDS = Pattern.compile("initial copy finished: [\\d,]+ rows in \\d+ tables in ([\\d.]+) s");
    private static final String TABLE_PG = "CREATE TABLE t (id bigint PRIMARY KEY, note text, amount numeric(12,2), created timestamp,"
            + " doc json)";
    private static final String TABLE_MARIADB = "CREATE TABLE t (id BIGINT PRIMARY KEY, note TEXT, amount DECIMAL(12,2),"
            + " created DATETIME(6), doc JSON)";

    private CopyBenchmark() {
    }

    /**
     * @param args optional: rows (default 1000000), engines as a comma list ({@code postgresql,mariadb}, the default)
     */
    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        List<String> engines = Arrays.stream((args.length > 1 ? args[1] : "postgresql,mariadb").split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
        List<String> report = new ArrayList<>();
        for (String engine : engines) {
            BenchEngine bench = BenchEngine.of(engine);
            System.out.printf("== %s: starting two servers...%n", bench.route());
            try (DatabaseServer source = bench.start(false); DatabaseServer target = bench.start(true)) {
                report.addAll(bench.binlog() ? mariadb(source, target, rows) : postgres(source, target, rows));
            }
        }
        System.out.println();
        System.out.printf("%-62s %12s %10s %12s %8s%n", "initial copy", "rows", "seconds", "rows/s", "ratio");
        report.forEach(System.out::println);
        System.exit(0);
    }

    private static List<String> postgres(DatabaseServer source, DatabaseServer target, int rows) throws Exception {
        source.createDatabase("copy");
        execute(source, "copy", TABLE_PG);
        System.out.printf("filling t with %,d rows...%n", rows);
        execute(source, "copy", "INSERT INTO t SELECT i, 'row ' || i || repeat(' note', 4), (i % 100000) / 100.0,"
                + " timestamp '2024-01-01' + i * interval '1 second', json_build_object('id', i, 'tags', json_build_array('a', 'b'))"
                + " FROM generate_series(1, " + rows + ") i");
        execute(source, "copy", "VACUUM ANALYZE t");
        List<Figure> figures = new ArrayList<>();

        target.createDatabase("copy_dump");
        execute(target, "copy_dump", TABLE_PG);
        String pgDump = "pg_dump --data-only --table=t";
        boolean dump = majorVersion("pg_dump") >= serverMajor(source);
        String command = dump
                ? "pg_dump --data-only --table=t " + pgArgs(source, "copy") + " | psql -q -v ON_ERROR_STOP=1 " + pgArgs(target, "copy_dump") + " > /dev/null"
                : "psql -q -c '\\copy t to stdout' " + pgArgs(source, "copy") + " | psql -q -v ON_ERROR_STOP=1 -c '\\copy t from stdin' "
                        + pgArgs(target, "copy_dump");
        figures.add(timed(dump ? pgDump + " | psql" : "psql \\copy t to stdout | psql \\copy t from stdin", rows,
                () -> shell(command, source.superuserPassword()), () -> count(target, "copy_dump")));

        target.createDatabase("copy_sub");
        execute(target, "copy_sub", TABLE_PG);
        execute(source, "copy", "CREATE PUBLICATION bench_copy FOR TABLE t");
        URI src = URI.create(source.jdbcUrl("copy").substring(5));
        figures.add(timed("subscription copy_data (native logical replication)", rows, () -> {
            execute(target, "copy_sub", "CREATE SUBSCRIPTION bench_copy CONNECTION 'host=127.0.0.1 port=" + src.getPort()
                    + " dbname=copy user=" + source.superuser() + " password=" + source.superuserPassword()
                    + "' PUBLICATION bench_copy WITH (copy_data = true)");
            awaitValue(target, "copy_sub", "SELECT count(*) FROM pg_subscription_rel WHERE srsubstate NOT IN ('r', 's')", 0);
        }, () -> count(target, "copy_sub")));
        execute(target, "copy_sub", "DROP SUBSCRIPTION bench_copy");

        target.createDatabase("copy");
        execute(target, "copy", TABLE_PG);
        figures.add(overlap(source, target, rows));
        return rows(figures);
    }

    private static List<String> mariadb(DatabaseServer source, DatabaseServer target, int rows) throws Exception {
        source.createDatabase("copy");
        execute(source, "copy", TABLE_MARIADB);
        System.out.printf("filling t with %,d rows...%n", rows);
        execute(source, "copy", "INSERT INTO t SELECT seq, CONCAT('row ', seq, REPEAT(' note', 4)), (seq % 100000) / 100.0,"
                + " TIMESTAMP '2024-01-01 00:00:00' + INTERVAL seq SECOND, JSON_OBJECT('id', seq, 'tags', JSON_ARRAY('a', 'b'))"
                + " FROM seq_1_to_" + rows);
        execute(source, "copy", "ANALYZE TABLE t");
        List<Figure> figures = new ArrayList<>();

        target.createDatabase("copy_dump");
        execute(target, "copy_dump", TABLE_MARIADB);
        Path dump = source.clientProgram("mariadb-dump").orElseThrow();
        Path client = source.clientProgram("mariadb").orElseThrow();
        String command = dump + " --no-create-info --single-transaction " + myArgs(source) + " copy t | " + client + " "
                + myArgs(target) + " copy_dump";
        figures.add(timed("mariadb-dump --no-create-info | mariadb", rows, () -> shell(command, source.superuserPassword()),
                () -> count(target, "copy_dump")));

        target.createDatabase("copy");
        execute(target, "copy", TABLE_MARIADB);
        figures.add(overlap(source, target, rows));
        return rows(figures);
    }

    /** Overlap's initial copy of database {@code copy}, timed by its own log line and from the daemon's start. */
    private static Figure overlap(DatabaseServer source, DatabaseServer target, int rows) throws Exception {
        System.out.println("overlap: initial copy...");
        long start = System.nanoTime();
        try (Daemon daemon = Daemon.start(source, target, "copy", "initial", "")) {
            awaitValue(target, "copy", "SELECT count(*) FROM overlap_offsets", 1);
            double wall = (System.nanoTime() - start) / 1e9;
            Matcher m = COPY_SECONDS.matcher(Files.readString(daemon.log()));
            if (!m.find()) {
                throw new IllegalStateException("no 'initial copy finished' line in " + daemon.log());
            }
            double seconds = Double.parseDouble(m.group(1));
            long copied = count(target, "copy");
            if (copied != rows) {
                throw new IllegalStateException("overlap copied " + copied + " rows, not " + rows);
            }
            return new Figure(String.format(Locale.ROOT, "overlap initial copy (%.1f s from start; peak heap %.0f MiB)", wall,
                    daemon.peakHeapBytes() / 1048576.0), rows, seconds);
        }
    }

    private record Figure(String label, long rows, double seconds) {
    }

    /** The report's lines: each figure with its rows/s and its ratio to the first (the database's own tool). */
    private static List<String> rows(List<Figure> figures) {
        double baseline = figures.get(0).rows() / figures.get(0).seconds();
        return figures.stream().map(f -> String.format(Locale.ROOT, "%-62s %,12d %10.1f %,12.0f %7.2fx", f.label(), f.rows(),
                f.seconds(), f.rows() / f.seconds(), f.rows() / f.seconds() / baseline)).toList();
    }

    private interface Step {
        void run() throws Exception;
    }

    private interface Count {
        long get() throws Exception;
    }

    private static Figure timed(String label, long rows, Step step, Count count) throws Exception {
        System.out.println(label + "...");
        long start = System.nanoTime();
        step.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        long copied = count.get();
        if (copied != rows) {
            throw new IllegalStateException(label + " copied " + copied + " rows, not " + rows);
        }
        return new Figure(label, rows, seconds);
    }

    private static void shell(String command, String password) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", "-o", "pipefail", "-c", command).inheritIO();
        builder.environment().put("PGPASSWORD", password);
        builder.environment().put("MYSQL_PWD", password);
        Process process = builder.start();
        if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException("failed: " + command.replace(password, "***"));
        }
    }

    private static String pgArgs(DatabaseServer server, String db) {
        URI uri = URI.create(server.jdbcUrl(db).substring(5));
        return "-h 127.0.0.1 -p " + uri.getPort() + " -U " + server.superuser() + " -d " + db;
    }

    private static String myArgs(DatabaseServer server) {
        URI uri = URI.create(server.jdbcUrl("x").substring(5));
        return "--protocol=tcp -h 127.0.0.1 -P " + uri.getPort() + " -u " + server.superuser();
    }

    /** @return the major version of a PostgreSQL client program on the PATH, 0 when there is none */
    private static int majorVersion(String program) {
        try {
            Process p = new ProcessBuilder(program, "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            Matcher m = Pattern.compile("(\\d+)\\.").matcher(out);
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (IOException | InterruptedException e) {
            return 0;
        }
    }

    private static int serverMajor(DatabaseServer server) throws SQLException {
        try (Connection c = server.connect("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('server_version_num')::int / 10000")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void execute(DatabaseServer server, String db, String sql) throws SQLException {
        try (Connection c = server.connect(db); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static long count(DatabaseServer server, String db) throws SQLException {
        try (Connection c = server.connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void awaitValue(DatabaseServer server, String db, String sql, long value) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (Connection c = server.connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                if (rs.next() && rs.getLong(1) == value) {
                    return;
                }
            } catch (SQLException e) {
                // the table is not there yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("timed out waiting for " + sql + " = " + value);
    }
}
