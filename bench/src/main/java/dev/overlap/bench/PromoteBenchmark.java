package dev.overlap.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.overlap.it.DatabaseServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Write downtime of {@code overlap promote} and of {@code overlap rollback} under a steady load of 1,000 writes/s
 * (single-row inserts from two application sessions), repeated: each run replicates a fresh database, promotes it,
 * moves the writers to the new host for 3 s while the daemon replicates back, rolls back, and reads each report's
 * {@code write_downtime_ms} (source frozen until target open) and the durations of the promote's
 * verification steps: VERIFY_LIVE (every table hashed while the source takes writes, before the freeze) and VERIFY
 * (while frozen: the rows changed since, by key). Prints each run and p50/p99/max. Goal: p99 below 2 s.
 *
 * <p>With a table size, each run first fills {@code orders} with that many identical rows on both sides (the
 * daemon then starts with {@code snapshot: never}), so the verification's cost on a database of that size shows.
 */
public final class PromoteBenchmark {
    private static final int WRITES_PER_SECOND = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private PromoteBenchmark() {
    }

    /** @param args optional: how many promotes (default 10), rows in the table before the run (default 0) */
    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        long rows = args.length > 1 ? Long.parseLong(args[1]) : 0;
        List<Long> downtimes = new ArrayList<>();
        List<Long> rollbackDowntimes = new ArrayList<>();
        try (DatabaseServer source = DatabaseServer.postgres(); DatabaseServer target = DatabaseServer.postgres()) {
            for (int run = 1; run <= runs; run++) {
                JsonNode[] reports = promoteOnce(source, target, "promote" + run, rows);
                JsonNode report = reports[0];
                long downtime = report.path("write_downtime_ms").asLong();
                long rollback = reports[1].path("write_downtime_ms").asLong();
                downtimes.add(downtime);
                rollbackDowntimes.add(rollback);
                System.out.printf(Locale.ROOT, "        promote steps %s%n        rollback steps %s%n", steps(report), steps(reports[1]));
                System.out.printf(Locale.ROOT, "run %2d: %,d rows: promote write downtime %5d ms, of which VERIFY %5d ms and"
                        + " PREPARE_REVERSE %5d ms; VERIFY_LIVE before the freeze %,d ms; rollback write downtime %5d ms%n", run,
                        rows, downtime, step(report, "VERIFY"), step(report, "PREPARE_REVERSE"), step(report, "VERIFY_LIVE"),
                        rollback);
            }
        }
        Collections.sort(downtimes);
        Collections.sort(rollbackDowntimes);
        System.out.printf(Locale.ROOT, "%npromote under %,d writes/s, %d runs: write downtime p50 %d ms, p99 %d ms, max %d ms%n",
                WRITES_PER_SECOND, runs, percentile(downtimes, 0.50), percentile(downtimes, 0.99), downtimes.get(downtimes.size() - 1));
        System.out.printf(Locale.ROOT, "rollback under %,d writes/s, %d runs: write downtime p50 %d ms, p99 %d ms, max %d ms%n",
                WRITES_PER_SECOND, runs, percentile(rollbackDowntimes, 0.50), percentile(rollbackDowntimes, 0.99),
                rollbackDowntimes.get(rollbackDowntimes.size() - 1));
        System.exit(0);
    }

    private static long percentile(List<Long> sorted, double p) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1));
    }

    /** @return each step of the report with its ms, e.g. {@code PRECHECK 12, FREEZE_SOURCE 40} */
    private static String steps(JsonNode report) {
        List<String> steps = new ArrayList<>();
        report.path("steps").forEach(s -> steps.add(s.path("state").asText() + " " + s.path("ms").asLong()));
        return String.join(", ", steps);
    }

    /** @return the duration of the report's step, ms, or -1 when it did not run */
    private static long step(JsonNode report, String state) {
        for (JsonNode step : report.path("steps")) {
            if (state.equals(step.path("state").asText())) {
                return step.path("ms").asLong();
            }
        }
        return -1;
    }

    /** @return the promote's report and the rollback's */
    private static JsonNode[] promoteOnce(DatabaseServer source, DatabaseServer target, String db, long rows) throws Exception {
        source.createDatabase(db);
        target.createDatabase(db);
        String table = "CREATE TABLE orders (id bigserial PRIMARY KEY, note text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())";
        String app = "app_" + db;
        for (DatabaseServer server : List.of(source, target)) {
            try (Connection c = server.connect(db); Statement st = c.createStatement()) {
                st.execute(table);
                st.execute("CREATE ROLE " + app + " LOGIN");
                st.execute("GRANT INSERT ON orders TO " + app + "; GRANT USAGE ON SEQUENCE orders_id_seq TO " + app);
            }
        }
        if (rows > 0) {
            String fill = "INSERT INTO orders (id, note, created_at) SELECT i, 'order ' || i, timestamptz '2026-01-01' + i * interval '1 s'"
                    + " FROM generate_series(1, " + rows + ") i; SELECT setval('orders_id_seq', " + rows + ")";
            for (DatabaseServer server : List.of(source, target)) {
                try (Connection c = server.connect(db); Statement st = c.createStatement()) {
                    st.execute(fill);
                    st.execute("VACUUM ANALYZE orders");
                }
            }
        }
        try (Daemon daemon = Daemon.start(source, target, db, rows > 0 ? "never" : "initial", "")) {
            for (int i = 0; i < 600 && !daemon.healthy(); i++) {
                Thread.sleep(100);
            }
            if (!daemon.healthy()) {
                throw new IllegalStateException("the daemon did not become healthy within 60 s; see its log in /tmp/overlap-bench*.log");
            }
            // with snapshot: never the stream starts where its slot was created: write only once it has applied a batch
            for (int i = 0; i < 600 && !streaming(target, db); i++) {
                Thread.sleep(100);
            }
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong accepted = new AtomicLong();
            AtomicReference<DatabaseServer> host = new AtomicReference<>(source);
            List<Thread> writers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Thread writer = new Thread(() -> write(host, db, app, writing, accepted, WRITES_PER_SECOND / 2));
                writer.start();
                writers.add(writer);
            }
            Thread.sleep(3000);
            JsonNode report = JSON.readTree(daemon.promote());
            if (!"promoted".equals(report.path("outcome").asText())) {
                writing.set(false);
                throw new IllegalStateException("promote did not succeed: " + report);
            }
            host.set(target);
            for (int i = 0; i < 600 && !daemon.healthy(); i++) {
                Thread.sleep(100);
            }
            Thread.sleep(3000);
            JsonNode rollback = JSON.readTree(daemon.rollback());
            host.set(source);
            writing.set(false);
            for (Thread writer : writers) {
                writer.join();
            }
            if (!"promoted".equals(rollback.path("outcome").asText())) {
                throw new IllegalStateException("rollback did not succeed: " + rollback);
            }
            return new JsonNode[] {report, rollback};
        }
    }

    /** @return whether the daemon stored an offset of its own on the target, i.e. applied a streamed batch */
    private static boolean streaming(DatabaseServer target, String db) {
        try (Connection c = target.connect(db); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM overlap_offsets")) {
            return rs.next() && rs.getInt(1) > 0;
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Inserts at a fixed rate as the application role into the host {@code host} names (the application's switch); after
     * a freeze every attempt fails and is retried.
     */
    private static void write(AtomicReference<DatabaseServer> host, String db, String role, AtomicBoolean writing, AtomicLong accepted,
                              int perSecond) {
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
        long next = System.nanoTime();
        while (writing.get()) {
            DatabaseServer to = host.get();
            try (Connection c = java.sql.DriverManager.getConnection(to.jdbcUrl(db), role, "app");
                 PreparedStatement ps = c.prepareStatement("INSERT INTO orders (note) VALUES ('steady')")) {
                while (writing.get() && host.get() == to) {
                    ps.executeUpdate();
                    accepted.incrementAndGet();
                    next += intervalNanos;
                    long sleep = next - System.nanoTime();
                    if (sleep > 0) {
                        TimeUnit.NANOSECONDS.sleep(sleep);
                    }
                }
            } catch (SQLException e) {
                next = System.nanoTime();
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
