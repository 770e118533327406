package dev.overlap.replicator.engine.mysql;

import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.config.Endpoint;
import dev.overlap.replicator.jdbc.Connections;
import dev.overlap.replicator.stream.ChangeBatch;
import dev.overlap.replicator.stream.RowChange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives MySQL/MariaDB zero dates ({@code 0000-00-00}, {@code 0000-00-00 00:00:00}, and dates with a zero
 * month or day) back their exact value, which Debezium 3.4 cannot carry: its binlog deserializer turns them
 * into {@code null} ({@code RowDeserializers.deserializeDate}: "if (year == 0 || month == 0 || day == 0)
 * return null"), the snapshot reads them with {@code zeroDateTimeBehavior=CONVERT_TO_NULL}, and its value
 * converter then emits NULL for a nullable column and the epoch (or the column default) for a NOT NULL one.
 * WordPress writes {@code 0000-00-00 00:00:00} into every draft's {@code post_date_gmt}.
 *
 * <p>So a value that could stand for a zero date (NULL in a nullable DATE, DATETIME or TIMESTAMP column;
 * 1970-01-01 or the column's default in a NOT NULL one) is read again from the source, by key, as the
 * server's own text ({@code CAST(c AS CHAR)}, in UTC), and that text is what the target gets. The re-read
 * sees the source's current row, which may already be newer than the change; the changes in between
 * follow in the stream and are applied after it, so the target converges to the source, and is exact
 * once the source is quiet (as at promote's fence). One query per table and batch, only for the rows
 * that carry such a value. A TIMESTAMP at the epoch is a zero date without a re-read (TIMESTAMP starts at
 * 1970-01-01 00:00:01 UTC). A table without a key cannot be read again by key: its zero dates arrive as
 * Debezium reports them (TIMESTAMP excepted), and a before-image value that may be a zero date is left
 * out of the row match.
 */
final class ZeroDateRepair implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ZeroDateRepair.class);
    /** Debezium's zero TIMESTAMP, and the MySQL text for it. */
    private static final String ZERO_TIMESTAMP = "0000-00-00 00:00:00";
    private static final LocalDateTime EPOCH = LocalDateTime.of(1970, 1, 1, 0, 0);

    /**
     * A temporal column of a source table.
     *
     * @param name column name
     * @param type {@code date}, {@code datetime} or {@code timestamp}
     * @param nullable whether it is nullable
     * @param defaultValue its literal default as the catalog gives it, or {@code null}
     */
    public record TemporalColumn(String name, String type, boolean nullable, String defaultValue) {
        /** @return whether Debezium may have turned a zero date into this value */
        boolean mayBeZero(Object value) {
            if (value == null) {
                return nullable;
            }
            if (value instanceof LocalDate date) {
                return !nullable && (date.equals(LocalDate.EPOCH) || literalDefault() && date.toString().equals(defaultValue));
            }
            if (value instanceof LocalDateTime time) {
                return !nullable && (time.equals(EPOCH) || literalDefault() && defaultValue.startsWith(time.toLocalDate()
                        + " " + time.toLocalTime()));
            }
            return false;
        }

        /**
         * @return whether the default is a date literal (it starts with a digit), which a value can equal; a
         *         {@code CURRENT_TIMESTAMP} default cannot, and the value's text is then not built (once per row)
         */
        private boolean literalDefault() {
            return defaultValue != null && !defaultValue.isEmpty() && Character.isDigit(defaultValue.charAt(0));
        }
    }

    private final Endpoint source;
    private final Map<TableId, List<TemporalColumn>> columns;
    private Connection connection;

    /**
     * @param source the source database
     * @param columns the DATE, DATETIME and TIMESTAMP columns of each replicated table that has any
     */
    public ZeroDateRepair(Endpoint source, Map<TableId, List<TemporalColumn>> columns) {
        this.source = source;
        this.columns = Map.copyOf(columns);
    }

    /**
     * @param batch a decoded batch
     * @return the batch with every value that stood for a zero date replaced by the source's text of it
     * @throws InterruptedException when interrupted while the source is unreachable
     */
    public ChangeBatch repair(ChangeBatch batch) throws InterruptedException {
        Map<TableId, Map<List<Object>, Integer>> reread = new LinkedHashMap<>();
        List<RowChange> changes = new ArrayList<>(batch.changes());
        for (int i = 0; i < changes.size(); i++) {
            RowChange change = changes.get(i);
            List<TemporalColumn> temporal = columns.get(change.table());
            if (temporal == null || change.op() == RowChange.Op.TRUNCATE) {
                continue;
            }
            RowChange fixed = fixTimestamps(change, temporal);
            changes.set(i, fixed);
            if (change.op() != RowChange.Op.DELETE && temporal.stream().anyMatch(c -> c.mayBeZero(fixed.row().get(c.name())))) {
                if (fixed.keyed()) {
                    reread.computeIfAbsent(change.table(), t -> new LinkedHashMap<>()).putIfAbsent(key(fixed), i);
                }
            }
        }
        if (reread.isEmpty()) {
            return changes.equals(batch.changes()) ? batch : new ChangeBatch(changes, batch.partition(), batch.offset(), batch.records());
        }
        for (long backoffMs = 500; ; backoffMs = Math.min(backoffMs * 2, 10_000)) {
            try {
                for (Map.Entry<TableId, Map<List<Object>, Integer>> table : reread.entrySet()) {
                    reread(table.getKey(), changes, table.getValue().keySet());
                }
                return new ChangeBatch(changes, batch.partition(), batch.offset(), batch.records());
            } catch (SQLException e) {
                LOG.warn("reading zero dates again from the source failed (SQLState {}); retrying in {} ms", e.getSQLState(), backoffMs);
                close();
                Thread.sleep(backoffMs);
            }
        }
    }

    /** TIMESTAMP at the epoch is a zero date; in a table without a key, before-image values that may be zero are not matched. */
    private static RowChange fixTimestamps(RowChange change, List<TemporalColumn> temporal) {
        Map<String, Object> row = null;
        Map<String, Object> before = null;
        for (TemporalColumn column : temporal) {
            Object value = change.row().get(column.name());
            if (column.type().equals("timestamp") && value instanceof OffsetDateTime t && t.toEpochSecond() == 0 && t.getNano() == 0) {
                row = row == null ? new LinkedHashMap<>(change.row()) : row;
                row.put(column.name(), ZERO_TIMESTAMP);
            }
            if (!change.keyed()) {
                Map<String, Object> image = change.op() == RowChange.Op.DELETE ? change.row() : change.before();
                if (image != null && image.containsKey(column.name()) && (column.mayBeZero(image.get(column.name()))
                        || column.type().equals("timestamp") && image.get(column.name()) instanceof OffsetDateTime t
                        && t.toEpochSecond() == 0)) {
                    if (change.op() == RowChange.Op.DELETE) {
                        row = row == null ? new LinkedHashMap<>(change.row()) : row;
                        row.put(column.name(), RowChange.UNAVAILABLE);
                    } else {
                        before = before == null ? new LinkedHashMap<>(change.before()) : before;
                        before.put(column.name(), RowChange.UNAVAILABLE);
                    }
                }
            }
        }
        if (row == null && before == null) {
            return change;
        }
        return new RowChange(change.table(), change.op(), change.keyColumns(), row == null ? change.row() : row,
                before == null ? change.before() : before, change.sourceTsMs(), change.newKey());
    }

    /** Reads the temporal columns of the given keys as text and puts them into every change of those keys. */
    private void reread(TableId table, List<RowChange> changes, Iterable<List<Object>> keys) throws SQLException {
        List<TemporalColumn> temporal = columns.get(table);
        List<String> keyColumns = null;
        List<List<Object>> keyList = new ArrayList<>();
        for (List<Object> key : keys) {
            keyList.add(key);
        }
        for (RowChange change : changes) {
            if (change.table().equals(table) && change.keyed()) {
                keyColumns = change.keyColumns();
                break;
            }
        }
        Map<List<Object>, Map<String, String>> current = new HashMap<>();
        StringBuilder sql = new StringBuilder("SELECT ");
        for (String key : keyColumns) {
            sql.append(quote(key)).append(", ");
        }
        for (int i = 0; i < temporal.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("CAST(").append(quote(temporal.get(i).name())).append(" AS CHAR)");
        }
        String oneKey = "(" + String.join(", ", java.util.Collections.nCopies(keyColumns.size(), "?")) + ")";
        sql.append(" FROM ").append(quote(table.table())).append(" WHERE (")
                .append(String.join(", ", keyColumns.stream().map(ZeroDateRepair::quote).toList())).append(") IN (")
                .append(String.join(", ", java.util.Collections.nCopies(keyList.size(), oneKey))).append(")");
        try (PreparedStatement ps = connection().prepareStatement(sql.toString())) {
            int index = 1;
            for (List<Object> key : keyList) {
                for (Object value : key) {
                    ps.setObject(index++, value);
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<Object> key = new ArrayList<>(keyColumns.size());
                    for (int k = 0; k < keyColumns.size(); k++) {
                        key.add(rs.getObject(k + 1));
                    }
                    Map<String, String> text = new HashMap<>();
                    for (int c = 0; c < temporal.size(); c++) {
                        text.put(temporal.get(c).name(), rs.getString(keyColumns.size() + c + 1));
                    }
                    current.put(normalise(key), text);
                }
            }
        }
        for (int i = 0; i < changes.size(); i++) {
            RowChange change = changes.get(i);
            if (!change.table().equals(table) || !change.keyed() || change.op() == RowChange.Op.DELETE) {
                continue;
            }
            Map<String, String> text = current.get(normalise(key(change)));
            if (text == null) {
                continue; // deleted on the source since: its delete follows in the stream
            }
            Map<String, Object> row = new LinkedHashMap<>(change.row());
            for (TemporalColumn column : temporal) {
                if (column.mayBeZero(row.get(column.name())) && row.containsKey(column.name())) {
                    row.put(column.name(), text.get(column.name()));
                }
            }
            changes.set(i, change.withRow(row));
        }
    }

    private static List<Object> key(RowChange change) {
        List<Object> key = new ArrayList<>(change.keyColumns().size());
        for (String column : change.keyColumns()) {
            key.add(change.row().get(column));
        }
        return key;
    }

    /** Keys as read back from JDBC may be other number or text types than the decoded ones: compare their text. */
    private static List<Object> normalise(List<Object> key) {
        List<Object> out = new ArrayList<>(key.size());
        for (Object value : key) {
            out.add(value instanceof byte[] bytes ? java.util.HexFormat.of().formatHex(bytes) : Objects.toString(value));
        }
        return out;
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            try {
                connection = Connections.open(source);
            } catch (dev.overlap.replicator.UserError e) {
                throw new SQLException(e.getMessage(), "08001", e);
            }
            try (Statement st = connection.createStatement()) {
                st.execute("SET time_zone = '+00:00'");
            }
        }
        return connection;
    }

    private static String quote(String identifier) {
        return '`' + identifier.replace("`", "``") + '`';
    }

    /** Closes the connection to the source; the next re-read opens a new one. */
    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("closing the zero-date connection: SQLState {}", e.getSQLState());
            }
            connection = null;
        }
    }
}
