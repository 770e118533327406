package dev.overlap.replicator.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The shop on MySQL 8.0 and MariaDB, the same shape in their types: BIGINT/INT AUTO_INCREMENT keys,
 * DECIMAL, TIMESTAMP(6) and DATETIME(6), JSON, a CHAR(36) UUID, an ENUM, and tags as a comma list (no
 * arrays). Order items reference their order without {@code ON DELETE CASCADE}: InnoDB's cascaded
 * deletes are not written to the binlog on MySQL 8.0 and MariaDB, so a cancellation deletes the items
 * itself, and the foreign key refuses any order deleted with items left.
 */
public final class MySqlShopSql implements ShopSql {
    private static final List<String> SCHEMA = List.of(
            "CREATE TABLE customers (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(255) NOT NULL UNIQUE,"
                    + " name VARCHAR(255) NOT NULL, created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))",
            "CREATE TABLE products (id INT AUTO_INCREMENT PRIMARY KEY, sku CHAR(36) NOT NULL, name VARCHAR(255) NOT NULL,"
                    + " price DECIMAL(10,2) NOT NULL, attributes JSON, tags VARCHAR(255))",
            "CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id BIGINT NOT NULL,"
                    + " status ENUM('new', 'paid', 'shipped', 'cancelled') NOT NULL DEFAULT 'new',"
                    + " total DECIMAL(12,2) NOT NULL DEFAULT 0, created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),"
                    + " note TEXT, FOREIGN KEY (customer_id) REFERENCES customers (id))",
            "CREATE TABLE order_items (order_id BIGINT NOT NULL, line INT NOT NULL, product_id INT NOT NULL,"
                    + " qty SMALLINT NOT NULL, price DECIMAL(10,2) NOT NULL, PRIMARY KEY (order_id, line),"
                    + " FOREIGN KEY (order_id) REFERENCES orders (id), FOREIGN KEY (product_id) REFERENCES products (id))");

    @Override
    public List<String> schema() {
        return SCHEMA;
    }

    @Override
    public List<String> seed(int orders) {
        return List.of("INSERT INTO customers (email, name) SELECT CONCAT('customer', i, '@example.com'), CONCAT('Customer ', i)"
                        + " FROM " + series(2000) + " ORDER BY i",
                "INSERT INTO products (sku, name, price, attributes, tags) SELECT UUID(), CONCAT('Product ', i), (i % 97) + 0.99,"
                        + " JSON_OBJECT('colour', ELT(1 + i % 3, 'red', 'green', 'blue'), 'weight_g', i * 10),"
                        + " CONCAT('tag', i % 7, ',tag', i % 11) FROM " + series(500) + " ORDER BY i",
                "INSERT INTO orders (customer_id, status, total, note) SELECT 1 + i % 2000, ELT(1 + i % 3, 'new', 'paid', 'shipped'),"
                        + " 0, CASE WHEN i % 5 = 0 THEN 'gift' END FROM " + series(orders) + " ORDER BY i",
                "INSERT INTO order_items (order_id, line, product_id, qty, price) SELECT o.id, l.i, 1 + (o.id * l.i) % 500,"
                        + " 1 + l.i, 9.99 * l.i FROM orders o CROSS JOIN " + series(3).replace(" AS s", " AS l")
                        + " WHERE l.i <= 1 + o.id % 3",
                "UPDATE orders o JOIN (SELECT order_id, SUM(qty * price) AS total FROM order_items GROUP BY order_id) s"
                        + " ON s.order_id = o.id SET o.total = s.total");
    }

    /**
     * @param n how many numbers
     * @return a derived table {@code s} of one column {@code i} holding 1..n, from cross-joined digits
     *         (neither generate_series nor MariaDB's sequence engine exists on both, and MySQL caps recursive CTEs)
     */
    static String series(int n) {
        String digits = "(SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4"
                + " UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)";
        StringBuilder value = new StringBuilder("1");
        StringBuilder from = new StringBuilder();
        long place = 1;
        for (int d = 0; place < n; d++, place *= 10) {
            value.append(" + ").append(place).append(" * d").append(d).append(".n");
            from.append(d == 0 ? "" : " CROSS JOIN ").append(digits).append(" d").append(d);
        }
        if (from.length() == 0) {
            from.append(digits).append(" d0");
        }
        return "(SELECT i FROM (SELECT " + value + " AS i FROM " + from + ") numbers WHERE i <= " + n + ") AS s";
    }

    @Override
    public long insertOrder(Connection connection, long customerId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO orders (customer_id) VALUES (?)",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setLong(1, customerId);
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** A join with the derived maximum: MySQL refuses a subquery on the table being updated. */
    @Override
    public String pay() {
        return "UPDATE orders o JOIN (SELECT MAX(id) AS id FROM orders) m ON o.id = m.id - ?"
                + " SET o.status = 'paid', o.note = CONCAT(COALESCE(o.note, ''), 'paid;')";
    }

    /** The order's id first, then its items, then the order (no cascade, see the class comment). */
    @Override
    public int cancel(Connection connection, int offset) throws SQLException {
        long id;
        try (PreparedStatement ps = connection.prepareStatement("SELECT MIN(id) + ? FROM orders")) {
            ps.setInt(1, offset);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
        }
        return ShopWorkload.update(connection, "DELETE FROM order_items WHERE order_id = ?", id)
                + ShopWorkload.update(connection, "DELETE FROM orders WHERE id = ?", id);
    }

    @Override
    public String reprice() {
        return "UPDATE products SET price = price + 0.01,"
                + " attributes = JSON_SET(attributes, '$.repriced_at', CAST(NOW(6) AS CHAR)) WHERE id = ?";
    }
}
