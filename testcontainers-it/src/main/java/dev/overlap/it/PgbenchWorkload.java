package dev.overlap.it;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * pgbench's TPC-B-like workload: {@code pgbench -i} tables and data, then transactions from
 * concurrent clients. Uses the {@code pgbench} binary when it is on the PATH (Debian's
 * postgresql-client has it), otherwise the same tables and the same five statements per transaction
 * from JDBC (PostgreSQL manual, "pgbench", "What Is the Transaction Actually Performed in pgbench?").
 */
public final class PgbenchWorkload {
    private static final String[] TABLES_DDL = {
        "CREATE TABLE pgbench_branches (bid int NOT NULL, bbalance int, filler char(88))",
        "CREATE TABLE pgbench_tellers (tid int NOT NULL, bid int, tbalance int, filler char(84))",
        "CREATE TABLE pgbench_accounts (aid int NOT NULL, bid int, abalance int, filler char(84))",
        "CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22))",
        "ALTER TABLE pgbench_branches ADD PRIMARY KEY (bid)",
        "ALTER TABLE pgbench_tellers ADD PRIMARY KEY (tid)",
        "ALTER TABLE pgbench_accounts ADD PRIMARY KEY (aid)",
    };

    private final DatabaseServer server;
    private final String database;
    private final String binary = findPgbench();

    /**
     * @param server the server
     * @param database the database the workload runs in
     */
    public PgbenchWorkload(DatabaseServer server, String database) {
        this.server = server;
        this.database = database;
    }

    /** @return {@code binary} when the pgbench binary runs the workload, {@code jdbc} otherwise */
    public String route() {
        return binary != null ? "pgbench binary" : "jdbc";
    }

    /**
     * {@code pgbench -i}: creates the four tables with their primary keys.
     *
     * @param scale scale factor: 1 branch, 10 tellers and 100,000 accounts per unit
     * @param withData whether to fill them (the source) or leave them empty (the target)
     */
    public void initialize(int scale, boolean withData) throws IOException, InterruptedException, SQLException {
        if (binary != null) {
            pgbench("-i", "-s", Integer.toString(scale), "-I", withData ? "dtgvp" : "dtp", "-q");
            return;
        }
        try (Connection c = server.connect(database); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS pgbench_history, pgbench_tellers, pgbench_accounts, pgbench_branches");
            for (String ddl : TABLES_DDL) {
                st.execute(ddl);
            }
            if (withData) {
                st.execute("INSERT INTO pgbench_branches SELECT b, 0 FROM generate_series(1, " + scale + ") b");
                st.execute("INSERT INTO pgbench_tellers SELECT t, (t - 1) / 10 + 1, 0 FROM generate_series(1, " + scale * 10 + ") t");
                st.execute("INSERT INTO pgbench_accounts SELECT a, (a - 1) / 100000 + 1, 0, '' FROM generate_series(1, "
                        + scale * 100_000 + ") a");
                st.execute("VACUUM ANALYZE pgbench_accounts");
            }
        }
    }

    /**
     * Runs TPC-B-like transactions.
     *
     * @param clients concurrent clients
     * @param seconds how long
     * @param scale the scale factor given to {@link #initialize}
     * @return transactions committed
     */
    public long run(int clients, int seconds, int scale) throws IOException, InterruptedException, Exception {
        return run(clients, seconds, scale, 0);
    }

    /**
     * Runs TPC-B-like transactions at a steady rate ({@code pgbench -R}).
     *
     * @param clients concurrent clients
     * @param seconds how long
     * @param scale the scale factor given to {@link #initialize}
     * @param tps transactions per second of all clients together; 0 for as many as the server takes
     * @return transactions committed
     */
    public long run(int clients, int seconds, int scale, int tps) throws IOException, InterruptedException, Exception {
        if (binary != null) {
            List<String> args = new ArrayList<>(List.of("-c", Integer.toString(clients), "-j", Integer.toString(Math.min(clients, 2)),
                    "-T", Integer.toString(seconds), "-n"));
            if (tps > 0) {
                args.addAll(List.of("-R", Integer.toString(tps)));
            }
            String out = pgbench(args.toArray(String[]::new));
            for (String line : out.split("\n")) {
                if (line.startsWith("number of transactions actually processed:")) {
                    return Long.parseLong(line.replaceAll("[^0-9/]", "").split("/")[0]);
                }
            }
            throw new IllegalStateException("cannot read pgbench's output: " + out);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<Long>> results = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            results.add(pool.submit(() -> clientLoop(deadline, scale, tps == 0 ? 0 : TimeUnit.SECONDS.toNanos(clients) / tps)));
        }
        long total = 0;
        for (Future<Long> result : results) {
            total += result.get();
        }
        pool.shutdown();
        return total;
    }

    /** @param paceNanos time between the starts of this client's transactions; 0 for no pause */
    private long clientLoop(long deadline, int scale, long paceNanos) throws SQLException, InterruptedException {
        long done = 0;
        long next = System.nanoTime();
        try (Connection c = server.connect(database);
             PreparedStatement account = c.prepareStatement("UPDATE pgbench_accounts SET abalance = abalance + ? WHERE aid = ?");
             PreparedStatement balance = c.prepareStatement("SELECT abalance FROM pgbench_accounts WHERE aid = ?");
             PreparedStatement teller = c.prepareStatement("UPDATE pgbench_tellers SET tbalance = tbalance + ? WHERE tid = ?");
             PreparedStatement branch = c.prepareStatement("UPDATE pgbench_branches SET bbalance = bbalance + ? WHERE bid = ?");
             PreparedStatement history = c.prepareStatement(
                     "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)")) {
            c.setAutoCommit(false);
            while (System.nanoTime() < deadline) {
                if (paceNanos > 0) {
                    TimeUnit.NANOSECONDS.sleep(next - System.nanoTime());
                    next += paceNanos;
                }
                ThreadLocalRandom random = ThreadLocalRandom.current();
                int aid = 1 + random.nextInt(100_000 * scale);
                int bid = 1 + random.nextInt(scale);
                int tid = 1 + random.nextInt(10 * scale);
                int delta = random.nextInt(-5000, 5001);
                try {
                    account.setInt(1, delta);
                    account.setInt(2, aid);
                    account.executeUpdate();
                    balance.setInt(1, aid);
                    balance.executeQuery().close();
                    teller.setInt(1, delta);
                    teller.setInt(2, tid);
                    teller.executeUpdate();
                    branch.setInt(1, delta);
                    branch.setInt(2, bid);
                    branch.executeUpdate();
                    history.setInt(1, tid);
                    history.setInt(2, bid);
                    history.setInt(3, aid);
                    history.setInt(4, delta);
                    history.executeUpdate();
                    c.commit();
                    done++;
                } catch (SQLException e) {
                    c.rollback();
                    if (!"40P01".equals(e.getSQLState())) {
                        throw e;
                    }
                }
            }
        }
        return done;
    }

    private String pgbench(String... args) throws IOException, InterruptedException {
        URI uri = URI.create(server.jdbcUrl(database).substring("jdbc:".length()));
        List<String> command = new ArrayList<>(List.of(binary, "-h", uri.getHost(), "-p", Integer.toString(uri.getPort()),
                "-U", server.superuser()));
        command.addAll(List.of(args));
        command.add(database);
        Path log = Files.createTempFile("pgbench", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("PGPASSWORD", server.superuserPassword());
        Process process = builder.start();
        int exit = process.waitFor();
        String out = Files.readString(log);
        Files.delete(log);
        if (exit != 0) {
            throw new IllegalStateException("pgbench " + String.join(" ", args) + " exited " + exit + ": " + out);
        }
        return out;
    }

    private static String findPgbench() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "pgbench");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }
}
