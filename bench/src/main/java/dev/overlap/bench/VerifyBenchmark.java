package dev.overlap.bench;

import dev.overlap.checksum.Databases;
import dev.overlap.checksum.PostgresChecksumDialect;
import dev.overlap.checksum.TableName;
import dev.overlap.checksum.Verifier;
import dev.overlap.checksum.VerifyOptions;
import dev.overlap.checksum.VerifyProgress;
import dev.overlap.checksum.VerifyReport;
import dev.overlap.it.DatabaseServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Verification throughput on this machine: two PostgreSQL servers hold the same table of N rows
 * ({@code bigint} key, {@code int}, {@code numeric(12,2)}, {@code text}, {@code timestamp(6)}), and the
 * {@link Verifier} compares them with its defaults (2 threads, 0.5 s chunks, no replication running).
 * Rows/s is rows per side divided by wall time: each server hashes every row once.
 *
 * <p>The MySQL/MariaDB side-by-side with pt-table-checksum's query waits for MariaDB support.
 */
public final class VerifyBenchmark {

    private VerifyBenchmark() {
    }

    /**
     * @param args optional: comma-separated table sizes in rows (default {@code 1000000,10000000}), threads (default 2)
     */
    public static void main(String[] args) throws Exception {
        List<Long> sizes = new ArrayList<>();
        for (String size : (args.length > 0 ? args[0] : "1000000,10000000").split(",")) {
            sizes.add(Long.parseLong(size.trim().replace("_", "")));
        }
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        List<String> report = new ArrayList<>();
        try (DatabaseServer source = DatabaseServer.postgres(); DatabaseServer target = DatabaseServer.postgres()) {
            for (long rows : sizes) {
                report.add(run(source, target, rows, threads));
            }
        }
        System.out.println();
        System.out.printf("%-36s %14s %10s %16s%n", "scenario (PostgreSQL, equal rows)", "rows per side", "seconds", "rows/s per side");
        report.forEach(System.out::println);
        System.exit(0);
    }

    private static String run(DatabaseServer source, DatabaseServer target, long rows, int threads) throws Exception {
        String db = "verify_" + rows;
        System.out.printf("loading %,d rows into both servers...%n", rows);
        for (DatabaseServer server : List.of(source, target)) {
            server.createDatabase(db);
            try (Connection c = server.connect(db); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE bench_rows (id bigint PRIMARY KEY, account int NOT NULL, amount numeric(12,2) NOT NULL,"
                        + " note text, created_at timestamp(6) NOT NULL)");
                st.execute("INSERT INTO bench_rows SELECT i, i % 1000, (i % 10000) / 100.0, 'row ' || i,"
                        + " timestamp '2024-01-01' + i * interval '1 millisecond' FROM generate_series(1, " + rows + ") i");
                st.execute("VACUUM ANALYZE bench_rows");
            }
        }
        Databases databases = new Databases() {
            @Override
            public Connection openSource() throws SQLException {
                return source.connect(db);
            }

            @Override
            public Connection openTarget() throws SQLException {
                return target.connect(db);
            }
        };
        System.out.printf("verifying %,d rows with %d threads...%n", rows, threads);
        VerifyReport report;
        try (VerifyProgress progress = VerifyProgress.forOutput(System.console() != null)) {
            report = new Verifier(new PostgresChecksumDialect(), databases, VerifyOptions.defaults(threads, false, 100), null, progress)
                    .verify(List.of(new TableName("public", "bench_rows")));
        }
        if (!report.equal()) {
            throw new IllegalStateException("the benchmark tables differ: " + report);
        }
        return String.format("%-36s %,14d %10.1f %,16.0f", "verify " + threads + " threads", rows, report.seconds(),
                rows / report.seconds());
    }
}
