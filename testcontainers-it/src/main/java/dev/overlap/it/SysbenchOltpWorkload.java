package dev.overlap.it;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * sysbench's {@code oltp_read_write} on MySQL/MariaDB, from JDBC: the {@code sbtestN} table shape
 * ({@code id} AUTO_INCREMENT key, {@code k} with a secondary index, {@code c CHAR(120)},
 * {@code pad CHAR(60)}) and its default transaction: 10 point selects, one each of the simple, sum,
 * order and distinct range selects (100 rows), an index update ({@code k = k + 1}), a non-index update
 * ({@code c}), and a delete followed by an insert of the same id. Deadlocks roll back and go on.
 */
public final class SysbenchOltpWorkload {
    private static final int RANGE = 100;

    private final DatabaseServer server;
    private final String database;
    private final int tables;
    private final int rowsPerTable;
    private volatile boolean stopped;

    /**
     * @param server the source server
     * @param database the database holding the sbtest tables
     * @param tables how many sbtest tables (sysbench {@code --tables})
     * @param rowsPerTable rows in each (sysbench {@code --table-size})
     */
    public SysbenchOltpWorkload(DatabaseServer server, String database, int tables, int rowsPerTable) {
        this.server = server;
        this.database = database;
        this.tables = tables;
        this.rowsPerTable = rowsPerTable;
    }

    /** @return the DDL of table {@code sbtest<n>}, as sysbench creates it */
    public static String ddl(int n) {
        return "CREATE TABLE sbtest" + n + " (id INT NOT NULL AUTO_INCREMENT, k INT NOT NULL DEFAULT 0,"
                + " c CHAR(120) NOT NULL DEFAULT '', pad CHAR(60) NOT NULL DEFAULT '', PRIMARY KEY (id), KEY k_" + n + " (k))"
                + " ENGINE = InnoDB";
    }

    /**
     * Fills the tables, like {@code sysbench oltp_read_write prepare} (tables must exist).
     *
     * @throws SQLException when the source refuses
     */
    public void prepare() throws SQLException {
        try (Connection c = server.connect(database)) {
            c.setAutoCommit(false);
            for (int t = 1; t <= tables; t++) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO sbtest" + t + " (id, k, c, pad) VALUES (?, ?, ?, ?)")) {
                    for (int id = 1; id <= rowsPerTable; id++) {
                        bindRow(ps, id);
                        ps.addBatch();
                        if (id % 1000 == 0) {
                            ps.executeBatch();
                        }
                    }
                    ps.executeBatch();
                }
                c.commit();
            }
        }
    }

    /** Ends a {@link #run} early: each client finishes its transaction and stops. */
    public void stop() {
        stopped = true;
    }

    /**
     * Runs the transactions from {@code threads} connections for {@code seconds}, or until {@link #stop()}.
     *
     * @return transactions committed
     * @throws InterruptedException when interrupted
     */
    public long run(int threads, int seconds) throws InterruptedException {
        return run(threads, seconds, this::transaction);
    }

    /**
     * sysbench's {@code oltp_update_non_index}: single-row transactions, each one
     * {@code UPDATE sbtestN SET c = ? WHERE id = ?} of a random row committed on its own, from
     * {@code threads} connections for {@code seconds}, or until {@link #stop()}.
     *
     * @return transactions committed
     * @throws InterruptedException when interrupted
     */
    public long runUpdateNonIndex(int threads, int seconds) throws InterruptedException {
        return run(threads, seconds, this::updateNonIndex);
    }

    /** One transaction of a workload, on a connection without autocommit; the caller commits. */
    @FunctionalInterface
    private interface Transaction {
        void run(Connection c) throws SQLException;
    }

    private long run(int threads, int seconds, Transaction transaction) throws InterruptedException {
        AtomicLong committed = new AtomicLong();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int i = 0; i < threads; i++) {
            pool.execute(() -> client(deadline, committed, transaction));
        }
        pool.shutdown();
        if (!pool.awaitTermination(seconds + 60L, TimeUnit.SECONDS)) {
            pool.shutdownNow();
        }
        return committed.get();
    }

    private void client(long deadline, AtomicLong committed, Transaction transaction) {
        try (Connection c = server.connect(database)) {
            c.setAutoCommit(false);
            while (!stopped && System.nanoTime() < deadline) {
                try {
                    transaction.run(c);
                    c.commit();
                    committed.incrementAndGet();
                } catch (SQLException e) {
                    c.rollback();
                    if (e.getErrorCode() != 1213 && e.getErrorCode() != 1205) {
                        throw e;
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("sysbench client failed: " + e.getMessage(), e);
        }
    }

    private void updateNonIndex(Connection c) throws SQLException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try (PreparedStatement ps = c.prepareStatement("UPDATE sbtest" + (1 + random.nextInt(tables)) + " SET c = ? WHERE id = ?")) {
            ps.setString(1, text(random, 11, 10));
            ps.setInt(2, id(random));
            ps.executeUpdate();
        }
    }

    private void transaction(Connection c) throws SQLException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String table = "sbtest" + (1 + random.nextInt(tables));
        try (PreparedStatement point = c.prepareStatement("SELECT c FROM " + table + " WHERE id = ?")) {
            for (int i = 0; i < 10; i++) {
                point.setInt(1, id(random));
                drain(point);
            }
        }
        for (String range : new String[] {"SELECT c FROM %s WHERE id BETWEEN ? AND ?",
                "SELECT SUM(k) FROM %s WHERE id BETWEEN ? AND ?", "SELECT c FROM %s WHERE id BETWEEN ? AND ? ORDER BY c",
                "SELECT DISTINCT c FROM %s WHERE id BETWEEN ? AND ? ORDER BY c"}) {
            try (PreparedStatement ps = c.prepareStatement(range.formatted(table))) {
                int from = id(random);
                ps.setInt(1, from);
                ps.setInt(2, from + RANGE - 1);
                drain(ps);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET k = k + 1 WHERE id = ?")) {
            ps.setInt(1, id(random));
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET c = ? WHERE id = ?")) {
            ps.setString(1, text(random, 11, 10));
            ps.setInt(2, id(random));
            ps.executeUpdate();
        }
        int id = id(random);
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + table + " WHERE id = ?");
             PreparedStatement insert = c.prepareStatement("INSERT INTO " + table + " (id, k, c, pad) VALUES (?, ?, ?, ?)")) {
            delete.setInt(1, id);
            delete.executeUpdate();
            bindRow(insert, id);
            insert.executeUpdate();
        }
    }

    private int id(ThreadLocalRandom random) {
        return 1 + random.nextInt(rowsPerTable);
    }

    private static void bindRow(PreparedStatement ps, int id) throws SQLException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        ps.setInt(1, id);
        ps.setInt(2, random.nextInt(1, 1_000_000));
        ps.setString(3, text(random, 11, 10));
        ps.setString(4, text(random, 11, 5));
    }

    /** sysbench's {@code ###########-###########-…} strings of random digits. */
    private static String text(ThreadLocalRandom random, int group, int groups) {
        StringBuilder sb = new StringBuilder(group * groups + groups);
        for (int g = 0; g < groups; g++) {
            if (g > 0) {
                sb.append('-');
            }
            for (int i = 0; i < group; i++) {
                sb.append((char) ('0' + random.nextInt(10)));
            }
        }
        return sb.toString();
    }

    private static void drain(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rs.getString(1);
            }
        }
    }

    /** @return rows in all sbtest tables, for a log line */
    public long rows() throws SQLException {
        long rows = 0;
        try (Connection c = server.connect(database); Statement st = c.createStatement()) {
            for (int t = 1; t <= tables; t++) {
                try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM sbtest" + t)) {
                    rs.next();
                    rows += rs.getLong(1);
                }
            }
        }
        return rows;
    }
}
