package dev.overlap.bench;

import dev.overlap.checksum.ChecksumDialect;
import dev.overlap.checksum.Databases;
import dev.overlap.checksum.Key;
import dev.overlap.checksum.KeyRange;
import dev.overlap.checksum.MySqlChecksumDialect;
import dev.overlap.checksum.PostgresChecksumDialect;
import dev.overlap.checksum.TableName;
import dev.overlap.checksum.TableSchema;
import dev.overlap.checksum.Verifier;
import dev.overlap.checksum.VerifyOptions;
import dev.overlap.checksum.VerifyProgress;
import dev.overlap.checksum.VerifyReport;
import dev.overlap.it.DatabaseServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Verification throughput on this machine, PostgreSQL and MariaDB side by side: two servers of each
 * engine hold the same table of N rows ({@code bigint} key, {@code int}, {@code numeric/decimal(12,2)},
 * {@code text}, {@code timestamp/datetime(6)}), and the {@link Verifier} compares them with its defaults
 * (0.5 s adaptive chunks, no replication running). Rows/s is rows per side divided by wall time: each
 * server hashes every row once.
 *
 * <p>On MariaDB two more lines run over fixed chunks of the Verifier's average chunk size
 * ({@code id > lo AND id <= hi}), each worker reading a chunk on the source and then on the target as
 * the Verifier does, with the same number of workers:
 * <ul>
 *   <li>Overlap's digest query alone ({@link MySqlChecksumDialect#digestSql}: count and exact sum of
 *       64-bit MD5 prefixes of the canonical text);</li>
 *   <li>pt-table-checksum's per-chunk query, written from its documentation (pt-table-checksum(1),
 *       "ALGORITHM" and {@code --function}: per chunk {@code COUNT(*)} and the {@code BIT_XOR} of
 *       {@code CRC32} of {@code CONCAT_WS('#', columns..., CONCAT(ISNULL(nullable columns)...))}).</li>
 * </ul>
 * The Verifier's own lines also pay for finding chunk boundaries (an index lookup per chunk for this
 * integer key), which the fixed-chunk lines do not. The Verifier runs twice on MariaDB: right after the
 * load and again at the end. A last line swaps two equal-length values between rows on the target and
 * says which of the two chunk queries sees it (pt-table-checksum's cannot: CRC32 is linear and BIT_XOR
 * cancels the two equal changes).
 */
public final class VerifyBenchmark {
    private static final TableName PG_TABLE = new TableName("public", "bench_rows");

    private VerifyBenchmark() {
    }

    /**
     * @param args optional: comma-separated table sizes in rows (default {@code 1000000,10000000}), threads (default 2),
     *        engines (default {@code postgres,mariadb})
     */
    public static void main(String[] args) throws Exception {
        List<Long> sizes = new ArrayList<>();
        for (String size : (args.length > 0 ? args[0] : "1000000,10000000").split(",")) {
            sizes.add(Long.parseLong(size.trim().replace("_", "")));
        }
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        List<String> engines = List.of((args.length > 2 ? args[2] : "postgres,mariadb").split(","));
        List<String> report = new ArrayList<>();
        if (engines.contains("postgres")) {
            try (DatabaseServer source = DatabaseServer.postgres(); DatabaseServer target = DatabaseServer.postgres()) {
                for (long rows : sizes) {
                    report.add(postgres(source, target, rows, threads));
                }
            }
        }
        if (engines.contains("mariadb")) {
            Map<String, String> settings = Map.of("log_bin", "OFF", "innodb_buffer_pool_size", "2G");
            try (DatabaseServer source = DatabaseServer.mariadb(settings); DatabaseServer target = DatabaseServer.mariadb(settings)) {
                for (long rows : sizes) {
                    report.addAll(mariadb(source, target, rows, threads));
                }
            }
        }
        System.out.println();
        System.out.printf("%-58s %14s %10s %16s%n", "scenario (equal rows)", "rows per side", "seconds", "rows/s per side");
        report.forEach(System.out::println);
        System.exit(0);
    }

    private static String postgres(DatabaseServer source, DatabaseServer target, long rows, int threads) throws Exception {
        String db = "verify_" + rows;
        System.out.printf("loading %,d rows into both PostgreSQL servers...%n", rows);
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
        VerifyReport report = verify(new PostgresChecksumDialect(), source, target, db, PG_TABLE, rows, threads);
        return line("PostgreSQL: overlap verify, " + threads + " threads", rows, report.seconds());
    }

    private static List<String> mariadb(DatabaseServer source, DatabaseServer target, long rows, int threads) throws Exception {
        String db = "verify_" + rows;
        System.out.printf("loading %,d rows into both MariaDB servers...%n", rows);
        for (DatabaseServer server : List.of(source, target)) {
            server.createDatabase(db);
            try (Connection c = server.connect(db); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE bench_rows (id bigint PRIMARY KEY, account int NOT NULL, amount decimal(12,2) NOT NULL,"
                        + " note text, created_at datetime(6) NOT NULL)");
                for (long from = 1; from <= rows; from += 1_000_000) {
                    long to = Math.min(rows, from + 999_999);
                    st.execute("INSERT INTO bench_rows SELECT seq, seq % 1000, (seq % 10000) / 100.0, CONCAT('row ', seq),"
                            + " TIMESTAMP '2024-01-01 00:00:00' + INTERVAL seq * 1000 MICROSECOND FROM seq_" + from + "_to_" + to);
                }
                st.execute("ANALYZE TABLE bench_rows");
            }
        }
        TableName table = new TableName(db, "bench_rows");
        MySqlChecksumDialect dialect = new MySqlChecksumDialect(true);
        VerifyReport report = verify(dialect, source, target, db, table, rows, threads);
        long chunkRows = Math.max(1, rows / Math.max(1, report.tables().get(0).chunks()));
        List<String> lines = new ArrayList<>();
        lines.add(line("MariaDB: overlap verify, " + threads + " threads (" + report.tables().get(0).chunks() + " chunks)",
                rows, report.seconds()));
        TableSchema schema;
        try (Connection c = source.connect(db)) {
            schema = dialect.describe(c, table).orElseThrow();
        }
        String digest = dialect.digestSql(schema, new KeyRange(new Key(List.of("0")), new Key(List.of("0"))));
        String pt = "SELECT COUNT(*), COALESCE(LOWER(CONV(BIT_XOR(CAST(CRC32(CONCAT_WS('#', id, account, amount, note, created_at,"
                + " CONCAT(ISNULL(note)))) AS UNSIGNED)), 10, 16)), 0) FROM bench_rows WHERE id > ? AND id <= ?";
        System.out.printf("MariaDB: the digest query and pt-table-checksum's query over chunks of %,d rows...%n", chunkRows);
        lines.add(line("MariaDB: overlap digest query only, same chunks, " + threads + " thr", rows,
                fixedChunks(source, target, db, digest, dialect, rows, chunkRows, threads)));
        lines.add(line("MariaDB: pt-table-checksum query, same chunks, " + threads + " thr", rows,
                fixedChunks(source, target, db, pt, null, rows, chunkRows, threads)));
        lines.add(line("MariaDB: pt-table-checksum query, same chunks, 1 thr", rows,
                fixedChunks(source, target, db, pt, null, rows, chunkRows, 1)));
        // again, now that the bulk load's background work (purge, flushing) is over, as it is for the other lines
        VerifyReport again = verify(dialect, source, target, db, table, rows, threads);
        lines.add(line("MariaDB: overlap verify again, " + threads + " threads (" + again.tables().get(0).chunks() + " chunks)",
                rows, again.seconds()));
        System.out.println(swapSeen(source, target, db, digest, pt, dialect));
        return lines;
    }

    /**
     * What the speed buys: swaps the notes of rows 11 and 12 on the target ({@code 'row 11'} and
     * {@code 'row 12'}, same length), asks both queries about the chunk holding them, and swaps back.
     * CRC32 is linear and BIT_XOR cancels the two equal changes, so pt-table-checksum's query cannot see it.
     *
     * @return one line saying which query sees the difference
     */
    private static String swapSeen(DatabaseServer source, DatabaseServer target, String db, String digest, String pt,
                                   ChecksumDialect dialect) throws SQLException {
        String swap = "UPDATE bench_rows SET note = CASE id WHEN 11 THEN 'row 12' ELSE 'row 11' END WHERE id IN (11, 12)";
        try (Connection s = source.connect(db); Connection t = target.connect(db)) {
            dialect.prepareSession(s);
            dialect.prepareSession(t);
            try (Statement st = t.createStatement()) {
                st.execute(swap);
                boolean ptSees = !chunkResult(s, pt).equals(chunkResult(t, pt));
                boolean overlapSees = !chunkResult(s, digest).equals(chunkResult(t, digest));
                st.execute(swap);
                return String.format("MariaDB: notes of rows 11 and 12 swapped on the target: pt-table-checksum's query %s,"
                        + " overlap's digest %s", ptSees ? "sees it" : "does NOT see it", overlapSees ? "sees it" : "does NOT see it");
            }
        }
    }

    /** @return the chunk query's row over {@code 0 < id <= 100}, as text */
    private static List<String> chunkResult(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, 0);
            ps.setLong(2, 100);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return List.of(rs.getString(1), rs.getString(2));
            }
        }
    }

    private static VerifyReport verify(ChecksumDialect dialect, DatabaseServer source, DatabaseServer target, String db,
                                       TableName table, long rows, int threads) throws Exception {
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
            report = new Verifier(dialect, databases, VerifyOptions.defaults(threads, false, 100), null, progress).verify(List.of(table));
        }
        if (!report.equal()) {
            throw new IllegalStateException("the benchmark tables differ: " + report);
        }
        return report;
    }

    /**
     * Runs a chunk query over {@code id > lo AND id <= hi} chunks, each on the source and then the target,
     * with {@code threads} workers of one connection per side.
     *
     * @param dialect binds the two bounds through {@link ChecksumDialect#boundValues}, or {@code null} for plain longs
     * @return wall seconds
     */
    private static double fixedChunks(DatabaseServer source, DatabaseServer target, String db, String sql, ChecksumDialect dialect,
                                      long rows, long chunkRows, int threads) throws Exception {
        AtomicLong next = new AtomicLong(0);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    try (Connection s = source.connect(db); Connection t = target.connect(db)) {
                        if (dialect != null) {
                            dialect.prepareSession(s);
                            dialect.prepareSession(t);
                        }
                        for (long lo = next.getAndAdd(chunkRows); lo < rows; lo = next.getAndAdd(chunkRows)) {
                            for (Connection c : List.of(s, t)) {
                                chunk(c, sql, lo, Math.min(rows, lo + chunkRows));
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<Void> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static void chunk(Connection c, String sql, long lo, long hi) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, lo);
            ps.setLong(2, hi);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
            }
        }
    }

    private static String line(String scenario, long rows, double seconds) {
        String line = String.format("%-58s %,14d %10.1f %,16.0f", scenario, rows, seconds, rows / seconds);
        System.out.println("  " + line.strip());
        return line;
    }
}
