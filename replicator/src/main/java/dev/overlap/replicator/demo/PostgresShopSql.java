package dev.overlap.replicator.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * The shop on PostgreSQL, with the types a shop uses there: bigserial, numeric, timestamptz, jsonb,
 * uuid, an enum and text[]; items cascade with their order.
 */
public final class PostgresShopSql implements ShopSql {
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

    @Override
    public List<String> schema() {
        return List.of(SCHEMA);
    }

    @Override
    public List<String> seed(int orders) {
        return List.of("INSERT INTO customers (email, name) SELECT 'customer' || i || '@example.com', 'Customer ' || i"
                        + " FROM generate_series(1, 2000) i",
                "INSERT INTO products (sku, name, price, attributes, tags) SELECT gen_random_uuid(), 'Product ' || i,"
                        + " (i % 97) + 0.99, jsonb_build_object('colour', (ARRAY['red','green','blue'])[1 + i % 3], 'weight_g', i * 10),"
                        + " ARRAY['tag' || (i % 7), 'tag' || (i % 11)] FROM generate_series(1, 500) i",
                "INSERT INTO orders (customer_id, status, total, note) SELECT 1 + i % 2000,"
                        + " (ARRAY['new','paid','shipped']::order_status[])[1 + i % 3], 0, CASE WHEN i % 5 = 0 THEN 'gift' END"
                        + " FROM generate_series(1, " + orders + ") i",
                "INSERT INTO order_items (order_id, line, product_id, qty, price) SELECT o.id, l, 1 + (o.id * l) % 500,"
                        + " 1 + l, 9.99 * l FROM orders o CROSS JOIN generate_series(1, 3) l WHERE l <= 1 + o.id % 3",
                "UPDATE orders o SET total = s.total FROM (SELECT order_id, sum(qty * price) AS total FROM order_items"
                        + " GROUP BY order_id) s WHERE s.order_id = o.id");
    }

    @Override
    public long insertOrder(Connection connection, long customerId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO orders (customer_id) VALUES (?) RETURNING id")) {
            ps.setLong(1, customerId);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Override
    public String pay() {
        return "UPDATE orders SET status = 'paid', note = coalesce(note, '') || 'paid;' WHERE id = (SELECT max(id) FROM orders) - ?";
    }

    /** One delete; the items go with it ({@code ON DELETE CASCADE}, replicated row by row by pgoutput). */
    @Override
    public int cancel(Connection connection, int offset) throws SQLException {
        return ShopWorkload.update(connection, "DELETE FROM orders WHERE id = (SELECT min(id) FROM orders) + ?", offset);
    }

    @Override
    public String reprice() {
        return "UPDATE products SET price = price + 0.01, attributes = attributes || jsonb_build_object("
                + "'repriced_at', now()::text) WHERE id = ?";
    }
}
