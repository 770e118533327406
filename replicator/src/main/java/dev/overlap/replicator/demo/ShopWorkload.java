package dev.overlap.replicator.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The demo's small shop: customers, products, orders and order items, with the types a shop uses
 * (bigserial, numeric, timestamptz, jsonb, uuid, an enum, text[]) and foreign keys. Creates the
 * schema, seeds rows, and runs the transactions of a live shop (place, pay, cancel an order, reprice).
 */
public final class ShopWorkload {
    /** The shop's tables as {@code {schema, table}}. */
    public static final List<String[]> TABLES = List.of(new String[] {"public", "customers"},
            new String[] {"public", "products"}, new String[] {"public", "orders"}, new String[] {"public", "order_items"});

    private static final String SCHEMA = """
            CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped', 'cancelled');
            CREATE TABLE customers (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE, name text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now());
            CREATE TABLE products (id serial PRIMARY KEY, sku uuid NOT NULL, name text NOT NULL, price numeric(10,2) NOT NULL,
                attributes jsonb, tags text[]);
            CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers,
                status order_status NOT NULL DEFAULT 'new', total numeric(12,2) NOT NULL DEFAULT 0,
                created_at timestamp(6) NOT NULL DEFAULT localtimestamp, note text);
            CREATE TABLE order_items (order_id bigint NOT NULL REFERENCES orders ON DELETE CASCADE, line int NOT NULL,
                product_id int NOT NULL REFERENCES products, qty smallint NOT NULL, price numeric(10,2) NOT NULL,
                PRIMARY KEY (order_id, line));
            """;

    private ShopWorkload() {
    }

    /**
     * @param connection a connection to an empty database
     * @throws SQLException when the schema cannot be created
     */
    public static void createSchema(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(SCHEMA);
        }
    }

    /**
     * Seeds the shop: 2,000 customers, 500 products and {@code orders} orders of 1 to 3 items.
     *
     * @param connection a connection to a database with the schema
     * @param orders how many orders
     * @throws SQLException when a statement fails
     */
    public static void seed(Connection connection, int orders) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("INSERT INTO customers (email, name) SELECT 'customer' || i || '@example.com', 'Customer ' || i"
                    + " FROM generate_series(1, 2000) i");
            st.execute("INSERT INTO products (sku, name, price, attributes, tags) SELECT gen_random_uuid(), 'Product ' || i,"
                    + " (i % 97) + 0.99, jsonb_build_object('colour', (ARRAY['red','green','blue'])[1 + i % 3], 'weight_g', i * 10),"
                    + " ARRAY['tag' || (i % 7), 'tag' || (i % 11)] FROM generate_series(1, 500) i");
            st.execute("INSERT INTO orders (customer_id, status, total, note) SELECT 1 + i % 2000,"
                    + " (ARRAY['new','paid','shipped']::order_status[])[1 + i % 3], 0, CASE WHEN i % 5 = 0 THEN 'gift' END"
                    + " FROM generate_series(1, " + orders + ") i");
            st.execute("INSERT INTO order_items (order_id, line, product_id, qty, price) SELECT o.id, l, 1 + (o.id * l) % 500,"
                    + " 1 + l, 9.99 * l FROM orders o CROSS JOIN generate_series(1, 3) l WHERE l <= 1 + o.id % 3");
            st.execute("UPDATE orders o SET total = s.total FROM (SELECT order_id, sum(qty * price) AS total FROM order_items"
                    + " GROUP BY order_id) s WHERE s.order_id = o.id");
        }
    }

    /**
     * Runs one random shop transaction: mostly new orders, then payments, cancellations (deletes that
     * cascade to the items) and repricing.
     *
     * @param connection a connection with auto-commit off
     * @return how many rows the transaction wrote
     * @throws SQLException when a statement fails; the caller rolls back
     */
    public static int transaction(Connection connection) throws SQLException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int dice = random.nextInt(100);
        int rows;
        if (dice < 60) {
            rows = placeOrder(connection, random);
        } else if (dice < 85) {
            rows = update(connection, "UPDATE orders SET status = 'paid', note = coalesce(note, '') || 'paid;'"
                    + " WHERE id = (SELECT max(id) FROM orders) - ?", random.nextInt(200));
        } else if (dice < 95) {
            rows = update(connection, "DELETE FROM orders WHERE id = (SELECT min(id) FROM orders) + ?", random.nextInt(500));
        } else {
            rows = update(connection, "UPDATE products SET price = price + 0.01, attributes = attributes || jsonb_build_object("
                    + "'repriced_at', now()::text) WHERE id = ?", 1 + random.nextInt(500));
        }
        connection.commit();
        return rows;
    }

    private static int placeOrder(Connection connection, ThreadLocalRandom random) throws SQLException {
        long orderId;
        try (PreparedStatement ps = connection.prepareStatement(
                "INSERT INTO orders (customer_id) VALUES (?) RETURNING id")) {
            ps.setLong(1, 1 + random.nextInt(2000));
            try (var rs = ps.executeQuery()) {
                rs.next();
                orderId = rs.getLong(1);
            }
        }
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

    private static int update(Connection connection, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setObject(i + 1, parameters[i]);
            }
            return ps.executeUpdate();
        }
    }
}
