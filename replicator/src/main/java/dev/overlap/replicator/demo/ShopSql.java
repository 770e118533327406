package dev.overlap.replicator.demo;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The SQL of the demo shop on one engine: {@link ShopWorkload} runs the same schema shape, seed and
 * transaction mix everywhere and asks this strategy only for what is written differently
 * ({@link PostgresShopSql}, {@link MySqlShopSql}).
 */
public interface ShopSql {

    /** @return the statements that create the four tables (and their types) in an empty database */
    List<String> schema();

    /**
     * @param orders how many orders to seed
     * @return statements that insert 2,000 customers, 500 products, {@code orders} orders of 1 to 3 items
     *         and set each order's total
     */
    List<String> seed(int orders);

    /**
     * Inserts a new order with the defaults (status {@code new}, total 0).
     *
     * @param connection a connection in a transaction
     * @param customerId the customer
     * @return the new order's id
     * @throws SQLException when the insert fails
     */
    long insertOrder(Connection connection, long customerId) throws SQLException;

    /** @return an update that marks order {@code max(id) - ?} paid and appends {@code paid;} to its note */
    String pay();

    /**
     * Cancels order {@code min(id) + offset}: deletes it and its items.
     *
     * @param connection a connection in a transaction
     * @param offset how far above the oldest order id
     * @return rows deleted (0 when no order has that id)
     * @throws SQLException when a statement fails
     */
    int cancel(Connection connection, int offset) throws SQLException;

    /** @return an update that raises product {@code ?}'s price by 0.01 and records the time in its attributes */
    String reprice();
}
