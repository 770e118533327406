package dev.overlap.replicator.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The demo's small shop: customers, products, orders and order items, with the types a shop uses
 * and foreign keys. Creates the schema, seeds rows, and runs the transactions of a live shop (place,
 * pay, cancel an order, reprice), the same mix on every engine; what is written differently per engine
 * comes from a {@link ShopSql}.
 */
public final class ShopWorkload {
    /** The shop's tables, in the source database's default schema ({@code public} on PostgreSQL). */
    public static final List<String> TABLES = List.of("customers", "products", "orders", "order_items");

    private final ShopSql sql;

    /** @param sql the engine's SQL */
    public ShopWorkload(ShopSql sql) {
        this.sql = sql;
    }

    /**
     * @param connection a connection to an empty database
     * @throws SQLException when the schema cannot be created
     */
    public void createSchema(Connection connection) throws SQLException {
        execute(connection, sql.schema());
    }

    /**
     * Seeds the shop: 2,000 customers, 500 products and {@code orders} orders of 1 to 3 items.
     *
     * @param connection a connection to a database with the schema
     * @param orders how many orders
     * @throws SQLException when a statement fails
     */
    public void seed(Connection connection, int orders) throws SQLException {
        execute(connection, sql.seed(orders));
    }

    /**
     * Runs one random shop transaction: mostly new orders, then payments, cancellations (the order and
     * its items deleted) and repricing.
     *
     * @param connection a connection with auto-commit off
     * @return how many rows the transaction wrote
     * @throws SQLException when a statement fails; the caller rolls back
     */
    public int transaction(Connection connection) throws SQLException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int dice = random.nextInt(100);
        int rows;
        if (dice < 60) {
            rows = placeOrder(connection, random);
        } else if (dice < 85) {
            rows = update(connection, sql.pay(), random.nextInt(200));
        } else if (dice < 95) {
            rows = sql.cancel(connection, random.nextInt(500));
        } else {
            rows = update(connection, sql.reprice(), 1 + random.nextInt(500));
        }
        connection.commit();
        return rows;
    }

    private int placeOrder(Connection connection, ThreadLocalRandom random) throws SQLException {
        long orderId = sql.insertOrder(connection, 1 + random.nextInt(2000));
        int lines = 1 + random.nextInt(3);
        try (PreparedStatement ps = connection.prepareStatement(
                "INSERT INTO order_items (order_id, line, product_id, qty, price) SELECT ?, ?, id, ?, price FROM products WHERE id = ?")) {
            for (int line = 1; line <= lines; line++) {
                ps.setLong(1, orderId);
                ps.setInt(2, line);
                ps.setInt(3, 1 + random.nextInt(4));
                ps.setInt(4, 1 + random.nextInt(500));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        update(connection, "UPDATE orders SET total = (SELECT sum(qty * price) FROM order_items WHERE order_id = ?) WHERE id = ?",
                orderId, orderId);
        return 2 + lines;
    }

    /**
     * @param connection a connection
     * @param statement an insert, update or delete with {@code ?} parameters
     * @param parameters their values in order
     * @return rows changed
     * @throws SQLException when it fails
     */
    static int update(Connection connection, String statement, Object... parameters) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(statement)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setObject(i + 1, parameters[i]);
            }
            return ps.executeUpdate();
        }
    }

    private static void execute(Connection connection, List<String> statements) throws SQLException {
        try (Statement st = connection.createStatement()) {
            for (String statement : statements) {
                st.execute(statement);
            }
        }
    }
}
