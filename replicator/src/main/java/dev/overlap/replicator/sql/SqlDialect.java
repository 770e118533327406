package dev.overlap.replicator.sql;

import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.catalog.TargetColumn;
import java.sql.PreparedStatement;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.StringJoiner;

/**
 * The SQL the {@link Applier} runs on one engine: multi-row upserts and deletes, identifier quoting
 * and value binding. Statements use {@code ?} parameters in row-major order (row 1's columns, then
 * row 2's, and so on).
 */
public interface SqlDialect {

    /** @return the most bind parameters one statement may carry */
    int maxParameters();

    /**
     * @return about how many bytes of values one statement may carry: the apply cuts multi-row statements
     *         below it; 256 MiB by default (PostgreSQL takes messages up to 1 GiB)
     */
    default long maxStatementBytes() {
        return 256L << 20;
    }

    /**
     * The names a failed statement's error gives, never its values.
     *
     * @param constraint the constraint or index it names, or {@code null}
     * @param column the column it names, or {@code null}
     */
    record ErrorNames(String constraint, String column) {
    }

    /**
     * Inserts rows by the engine's bulk path where it has one (PostgreSQL: {@code COPY … FROM STDIN}), in the
     * caller's transaction, all or none.
     *
     * @param connection a target connection in a transaction
     * @param table the quoted table name
     * @param columns the column names (not quoted), in the order of each row's values
     * @param rows each row's values in column order, as the Applier binds them
     * @return the rows inserted, or -1 when nothing was inserted: the engine has no bulk path, a value is of a
     *         kind it does not write that way, or a row's key is already on the target (the caller then upserts
     *         the rows; the transaction is as it was)
     * @throws SQLException when the target refuses for any other reason
     */
    default long bulkInsert(Connection connection, String table, List<String> columns, List<List<Object>> rows) throws SQLException {
        return -1;
    }

    /**
     * @param e a failure of a statement on this engine
     * @return the constraint and column it names, from the error's fields or the identifiers its message quotes
     */
    ErrorNames errorNames(SQLException e);

    /**
     * @param ddl a DDL statement the source ran, as the application sent it
     * @param defaultSchema the schema or database it ran in ({@code search_path} on PostgreSQL)
     * @return the statements that run it on the target, in order, in the caller's transaction
     */
    List<String> schemaChangeSql(String ddl, String defaultSchema);

    /**
     * @param e the target's refusal of a DDL statement
     * @return whether it refuses because the statement's effect is already there (the table or column exists, the
     *         dropped one is gone), as after a crash between the statement and its position
     */
    boolean alreadyApplied(SQLException e);

    /**
     * @param e a failed statement's error
     * @return whether it failed because a table does not exist (SQLSTATE 42P01 on PostgreSQL, 42S02 on MySQL/MariaDB)
     */
    default boolean undefinedTable(SQLException e) {
        return "42P01".equals(e.getSQLState()) || "42S02".equals(e.getSQLState());
    }

    /**
     * @param target a target connection
     * @param source a source table
     * @return the name of its table on the target, as {@link dev.overlap.replicator.catalog.TableCatalog} reads it: the
     *         same on PostgreSQL; in the target's own database on MySQL/MariaDB
     * @throws SQLException when the connection cannot tell
     */
    default TableId targetTable(Connection target, TableId source) throws SQLException {
        return source;
    }

    /**
     * @param target a target connection
     * @param table a table on the target
     * @return whether deleting or re-keying its rows changes other tables inside the storage engine, unseen by the
     *         change stream (see {@link dev.overlap.replicator.catalog.SourceTable#cascades()}); read from the target,
     *         which ran the source's DDL; never on PostgreSQL, whose WAL carries cascaded changes
     * @throws SQLException when the catalog cannot be read
     */
    default boolean cascades(Connection target, TableId table) throws SQLException {
        return false;
    }

    /**
     * @param target a target connection
     * @param table a table on the target
     * @return whether it is a partition, replicated through the root of its tree rather than as a table of its own;
     *         never on MySQL/MariaDB, whose partitions are no tables
     * @throws SQLException when the catalog cannot be read
     */
    default boolean partition(Connection target, TableId table) throws SQLException {
        return false;
    }

    /**
     * @param on whether the target's foreign keys are checked (and cascade) for the statements that follow
     * @return the statement that says so, on engines whose apply session runs without them (MySQL/MariaDB)
     * @throws UnsupportedOperationException on engines whose change stream carries cascaded changes (PostgreSQL)
     */
    default String foreignKeyChecks(boolean on) {
        throw new UnsupportedOperationException("the change stream of this engine carries cascaded changes");
    }

    /**
     * Takes the session lock that lets one daemon run a pipeline against this target, without waiting.
     *
     * @param connection a connection of its own; the lock lives as long as its session
     * @param pipeline the pipeline's name
     * @return whether this session holds the lock now
     * @throws SQLException when the target fails the call
     */
    boolean tryDaemonLock(Connection connection, String pipeline) throws SQLException;

    /**
     * @param connection a connection to the target
     * @param pipeline the pipeline's name
     * @return the session holding {@link #tryDaemonLock}'s lock, or {@code null} when none does
     * @throws SQLException when the target fails the query
     */
    DaemonLockHolder daemonLockHolder(Connection connection, String pipeline) throws SQLException;

    /**
     * @param connection a connection to the target
     * @return its server session's id: PostgreSQL's backend pid, MySQL's and MariaDB's connection id
     * @throws SQLException when the target fails the query
     */
    long sessionId(Connection connection) throws SQLException;

    /**
     * The target session that holds a pipeline's daemon lock.
     *
     * @param session the server's session id ({@link #sessionId})
     * @param client the client's host (and port on MySQL/MariaDB)
     * @param connectedSeconds how long the session has been connected, s
     */
    record DaemonLockHolder(long session, String client, long connectedSeconds) {
        @Override
        public String toString() {
            return "session " + session + " from " + client + ", connected for " + connectedSeconds + " s";
        }
    }

    /** @return SQL run once on each new apply connection, or {@code null} for none */
    String applySessionSql();

    /** @return the column type for a timestamp with microseconds and no time zone, as Overlap's own tables use it */
    default String timestampType() {
        return "TIMESTAMP(6)";
    }

    /**
     * @param identifier a name as in the catalog
     * @return it quoted for this engine
     */
    String quote(String identifier);

    /**
     * @param id a table
     * @return its schema-qualified, quoted name
     */
    default String table(TableId id) {
        return quote(id.schema()) + "." + quote(id.table());
    }

    /**
     * A multi-row upsert: insert the rows, or, where a row with the key exists, set the given columns. The
     * databases run its rows one after the other, in order. A row that would update a row with another key
     * (MySQL's {@code ON DUPLICATE KEY UPDATE} matches any unique index) fails the statement instead.
     *
     * @param table quoted table name
     * @param columns the columns given for each row
     * @param keyColumns the key columns the rows are matched on (a subset of {@code columns}), covered by the
     *        primary key or a unique index of the target
     * @param setColumns the columns an existing row takes from the new one (a subset of {@code columns},
     *        without the key)
     * @param rows number of rows
     * @return the statement, {@code rows * columns.size()} parameters
     */
    String upsert(String table, List<String> columns, List<String> keyColumns, List<String> setColumns, int rows);

    /**
     * One row into one of Overlap's own tables (offsets, heartbeat, promotions), keyed by its first column.
     *
     * @param table quoted table name
     * @param columns the columns, the key first
     * @return an upsert of one row, {@code columns.size()} parameters
     */
    default String upsertRow(String table, List<String> columns) {
        return upsert(table, columns, columns.subList(0, 1), columns.subList(1, columns.size()), 1);
    }

    /**
     * @param table quoted table name
     * @param setColumns the columns to set, parameters first
     * @param keyColumns the key columns, parameters after those of {@code setColumns}
     * @return an update of the one row with that key
     */
    default String updateByKey(String table, List<String> setColumns, List<String> keyColumns) {
        StringJoiner set = new StringJoiner(", ");
        setColumns.forEach(column -> set.add(quote(column) + " = ?"));
        StringJoiner where = new StringJoiner(" AND ");
        keyColumns.forEach(column -> where.add(quote(column) + " = ?"));
        return "UPDATE " + table + " SET " + set + " WHERE " + where;
    }

    /**
     * @param table quoted table name
     * @param keyColumns the key columns
     * @return an update that moves one row from its old key to a new one, parameters: the new key's values,
     *         then the old key's
     */
    default String moveKey(String table, List<String> keyColumns) {
        StringJoiner set = new StringJoiner(", ");
        StringJoiner where = new StringJoiner(" AND ");
        for (String column : keyColumns) {
            set.add(quote(column) + " = ?");
            where.add(quote(column) + " = ?");
        }
        return "UPDATE " + table + " SET " + set + " WHERE " + where;
    }

    /**
     * @param table quoted table name
     * @param columns the columns given for each row
     * @param rows number of rows
     * @return a plain multi-row insert of {@code rows * columns.size()} parameters
     */
    default String insert(String table, List<String> columns, int rows) {
        return "INSERT INTO " + table + " " + columnList(columns) + " VALUES " + valueRows(columns.size(), rows);
    }

    /**
     * @param table quoted table name
     * @param keyColumns the key columns
     * @param rows number of keys
     * @return a delete of the rows with these keys, {@code rows * keyColumns.size()} parameters
     */
    default String deleteByKey(String table, List<String> keyColumns, int rows) {
        String key = keyColumns.size() == 1 ? quote(keyColumns.get(0)) : columnList(keyColumns);
        String values = keyColumns.size() == 1 ? placeholders(rows) : "(" + valueRows(keyColumns.size(), rows) + ")";
        return "DELETE FROM " + table + " WHERE " + key + " IN " + values;
    }

    /**
     * @param table quoted table name
     * @return a statement that removes every row (the replay of a source TRUNCATE), without cascading
     */
    default String deleteAll(String table) {
        return "DELETE FROM " + table;
    }

    /**
     * For a table without a primary key: change one row equal to the before-image.
     *
     * @param table quoted table name
     * @param set columns to set, parameters first
     * @param where before-image columns to match, parameters after those of {@code set}
     * @return the statement; it changes at most one row even when duplicates exist
     */
    String updateOneRow(String table, List<String> set, List<TargetColumn> where);

    /**
     * For a table without a primary key: delete one row equal to the before-image.
     *
     * @param table quoted table name
     * @param where before-image columns to match
     * @return the statement; it deletes at most one row even when duplicates exist
     */
    String deleteOneRow(String table, List<TargetColumn> where);

    /**
     * Binds one value converted by {@link dev.overlap.replicator.stream.ValueConverter}.
     *
     * @param statement the statement
     * @param index 1-based parameter index
     * @param value the value, {@code null} for SQL NULL
     * @param column the target column it goes into
     * @throws SQLException when the driver rejects the value
     */
    void bind(PreparedStatement statement, int index, Object value, TargetColumn column) throws SQLException;

    /** @return {@code ("a", "b")} with each name quoted */
    default String columnList(List<String> columns) {
        StringJoiner joiner = new StringJoiner(", ", "(", ")");
        columns.forEach(c -> joiner.add(quote(c)));
        return joiner.toString();
    }

    /** @return {@code (?, ?), (?, ?)}: {@code rows} groups of {@code width} parameters */
    static String valueRows(int width, int rows) {
        String row = placeholders(width);
        StringBuilder sb = new StringBuilder(rows * (row.length() + 2));
        for (int i = 0; i < rows; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(row);
        }
        return sb.toString();
    }

    /** @return {@code (?, ?, ?)} with {@code count} parameters */
    static String placeholders(int count) {
        StringBuilder sb = new StringBuilder(count * 3 + 2).append('(');
        for (int i = 0; i < count; i++) {
            sb.append(i == 0 ? "?" : ", ?");
        }
        return sb.append(')').toString();
    }
}
