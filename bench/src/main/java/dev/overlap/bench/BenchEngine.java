package dev.overlap.bench;

import dev.overlap.it.DatabaseServer;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * What differs per engine in the apply benchmark: how its two servers start, the insert-burst table with
 * its timestamp defaults, the burst's insert statement and the SQL that reads each row's lag. The
 * scenarios themselves are in {@link ApplyBenchmark}.
 *
 * <p>Per-row lag needs one clock: the source stamps {@code created_at} when it writes a row, the target
 * table has an extra column {@code applied_at} that the apply does not set, whose default stamps the
 * time the apply wrote it; both servers run on this machine. On MySQL/MariaDB both defaults are
 * {@code CURRENT_TIMESTAMP(6)} (the statement's start) read in UTC: the apply session runs with
 * {@code time_zone = '+00:00'}, and so does the benchmark's own session.
 */
enum BenchEngine {
    /**
     * PostgreSQL 15 (embedded, the version bench/pom.xml pins, or Testcontainers), with PostgreSQL's default
     * {@code synchronous_commit = on}, which the embedded server turns off: with it off, a commit's WAL reaches
     * logical decoding (which reads flushed WAL only) when the WAL writer flushes it, every {@code wal_writer_delay}
     * (200 ms), a lag floor of any logical replica, native or Overlap, that a production source does not have.
     */
    POSTGRESQL("PG", "timestamp(6)", "clock_timestamp()"),
    /** MariaDB 11.4 (embedded binaries). */
    MARIADB("MariaDB", "DATETIME(6)", "CURRENT_TIMESTAMP(6)"),
    /** MySQL 8.0 (embedded binaries). */
    MYSQL("MySQL", "DATETIME(6)", "CURRENT_TIMESTAMP(6)");

    private final String label;
    private final String timestampType;
    private final String now;

    BenchEngine(String label, String timestampType, String now) {
        this.label = label;
        this.timestampType = timestampType;
        this.now = now;
    }

    /**
     * @param name {@code postgresql}, {@code mariadb} or {@code mysql} (any case)
     * @return the engine
     */
    static BenchEngine of(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }

    /** @return e.g. {@code MariaDB -> MariaDB}, for the report */
    String route() {
        return label + " -> " + label;
    }

    /** @return whether this is MySQL or MariaDB (binlog source) */
    boolean binlog() {
        return this != POSTGRESQL;
    }

    /**
     * @param target whether this is the new host (MySQL/MariaDB: another {@code server_id})
     * @return a started server
     */
    DatabaseServer start(boolean target) {
        return switch (this) {
            case POSTGRESQL -> DatabaseServer.postgres(Map.of("synchronous_commit", "on"));
            case MARIADB -> DatabaseServer.mariadb(target ? Map.of("server_id", "2") : Map.of());
            case MYSQL -> DatabaseServer.mysql(target ? Map.of("server_id", "2") : Map.of());
        };
    }

    /** @return SQL the benchmark's own source sessions run first, or {@code null} */
    String sessionSql() {
        return binlog() ? "SET time_zone = '+00:00'" : null;
    }

    /**
     * @param target whether the table is for the target, with the extra {@code applied_at} column
     * @return the DDL of {@code bench_rows}
     */
    String burstTable(boolean target) {
        String text = binlog() ? "VARCHAR(100)" : "text";
        String table = "CREATE TABLE bench_rows (id bigint PRIMARY KEY, account int NOT NULL, amount numeric(12,2) NOT NULL,"
                + " note " + text + ", created_at " + timestampType + " NOT NULL DEFAULT " + now;
        return table + (target ? ", applied_at " + timestampType + " NOT NULL DEFAULT " + now + ")" : ")");
    }

    /**
     * @return one statement inserting rows {@code from..to} (inclusive) of the burst
     */
    String burstInsert(int from, int to) {
        if (!binlog()) {
            return "INSERT INTO bench_rows (id, account, amount, note) SELECT i, i % 1000, (i % 10000) / 100.0,"
                    + " 'row ' || i FROM generate_series(" + from + ", " + to + ") i";
        }
        StringJoiner values = new StringJoiner(", ", "INSERT INTO bench_rows (id, account, amount, note) VALUES ", "");
        for (int i = from; i <= to; i++) {
            values.add("(" + i + ", " + i % 1000 + ", " + (i % 10000) / 100 + "." + String.format("%02d", i % 100)
                    + ", 'row " + i + "')");
        }
        return values.toString();
    }

    /**
     * @param table a table with the lag columns
     * @param created the source time column
     * @param since only rows whose source time is at or after this SQL expression, or {@code null} for all
     * @return a query of one column: each row's lag in microseconds
     */
    String lagMicros(String table, String created, String since) {
        String where = since == null ? "" : " WHERE " + created + " >= " + since;
        return binlog()
                ? "SELECT TIMESTAMPDIFF(MICROSECOND, " + created + ", applied_at) FROM " + table + where
                : "SELECT (extract(epoch FROM applied_at - " + created + ") * 1000000)::bigint FROM " + table + where;
    }

    /** @return a query of one value: seconds from the first source write to the last apply of {@code bench_rows} */
    String burstSpanSeconds() {
        return binlog()
                ? "SELECT TIMESTAMPDIFF(MICROSECOND, MIN(created_at), MAX(applied_at)) / 1000000.0 FROM bench_rows"
                : "SELECT extract(epoch FROM max(applied_at) - min(created_at)) FROM bench_rows";
    }
}
