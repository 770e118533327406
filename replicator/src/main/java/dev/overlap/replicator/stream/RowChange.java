package dev.overlap.replicator.stream;

import dev.overlap.replicator.catalog.TableId;
import java.util.List;
import java.util.Map;

/**
 * One normalized row change from the source.
 *
 * <p>Values are JDBC-bindable Java objects converted once from Kafka Connect logical types by
 * {@link ValueConverter}: {@code Short}, {@code Integer}, {@code Long}, {@code Float}, {@code Double},
 * {@code BigDecimal}, {@code Boolean}, {@code String}, {@code byte[]}, {@code LocalDate},
 * {@code LocalTime}, {@code LocalDateTime}, {@code OffsetDateTime}, {@code List} (arrays), or
 * {@code null}. A column whose value the source did not send (PostgreSQL's unchanged TOAST value) holds
 * {@link #UNAVAILABLE} and is left untouched on the target.
 *
 * @param table the source table
 * @param op what happened
 * @param keyColumns the source primary key columns, empty for a table without one (REPLICA IDENTITY FULL)
 * @param row after-image for create, read and update; before-image (key columns at least) for delete; empty for truncate
 * @param before before-image of an update, or {@code null} when the source does not send it (it does for REPLICA IDENTITY FULL)
 * @param sourceTsMs source commit time, ms since the epoch
 * @param newKey for the delete that opens a key change (an UPDATE of the key, which Debezium emits as a
 *        delete of the old key carrying the header {@code __debezium.newkey}, then a create of the new key),
 *        the new key's columns and values; {@code null} otherwise
 */
public record RowChange(TableId table, Op op, List<String> keyColumns, Map<String, Object> row,
                        Map<String, Object> before, long sourceTsMs, Map<String, Object> newKey) {

    /** A change that is not the first half of a key change. */
    public RowChange(TableId table, Op op, List<String> keyColumns, Map<String, Object> row, Map<String, Object> before,
                     long sourceTsMs) {
        this(table, op, keyColumns, row, before, sourceTsMs, null);
    }

    /** Marker value of a column the source did not send (PostgreSQL's unchanged TOAST column). */
    public static final Object UNAVAILABLE = new Object() {
        @Override
        public String toString() {
            return "<unavailable>";
        }
    };

    /** The operation of a change, with Debezium's one-letter codes. */
    public enum Op {
        /** row read by the initial snapshot ({@code r}) */
        READ,
        /** insert ({@code c}) */
        CREATE,
        /** update ({@code u}) */
        UPDATE,
        /** delete ({@code d}) */
        DELETE,
        /** truncate of the whole table ({@code t}) */
        TRUNCATE;

        /**
         * @param code Debezium's {@code op} field: r, c, u, d or t
         * @return the operation
         * @throws IllegalArgumentException for any other code
         */
        public static Op of(String code) {
            return switch (code) {
                case "r" -> READ;
                case "c" -> CREATE;
                case "u" -> UPDATE;
                case "d" -> DELETE;
                case "t" -> TRUNCATE;
                default -> throw new IllegalArgumentException("unknown Debezium op '" + code + "'");
            };
        }

        /** @return the short label used in the {@code op} metric tag: r, c, u, d or t */
        public String code() {
            return switch (this) {
                case READ -> "r";
                case CREATE -> "c";
                case UPDATE -> "u";
                case DELETE -> "d";
                case TRUNCATE -> "t";
            };
        }
    }

    /** @return whether the table has a key (its primary key, or the unique index Debezium keys it by) */
    public boolean keyed() {
        return !keyColumns.isEmpty();
    }

    /** @return whether this is the delete of the old key of a key change ({@link #newKey()} names the new one) */
    public boolean keyMove() {
        return newKey != null;
    }

    /**
     * @param values the row values to take the copy from
     * @return a copy of this change with another row image, everything else unchanged
     */
    public RowChange withRow(Map<String, Object> values) {
        return new RowChange(table, op, keyColumns, values, before, sourceTsMs, newKey);
    }
}
