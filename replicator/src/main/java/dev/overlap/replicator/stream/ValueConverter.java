package dev.overlap.replicator.stream;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

/**
 * Converts one Kafka Connect value, as Debezium emits it, into a JDBC-bindable Java value.
 *
 * <p>The conversion is chosen once per column schema ({@link #forSchema(Schema)}) and then applied to
 * every row. It expects the connector settings {@code decimal.handling.mode=precise},
 * {@code time.precision.mode=adaptive_time_microseconds} and {@code binary.handling.mode=bytes}; the
 * logical type names and encodings are those of Debezium's reference documentation ("Data type
 * mappings" of the PostgreSQL and MySQL connectors): {@code io.debezium.time.Date} is days since the
 * epoch, {@code MicroTime} microseconds since midnight, {@code MicroTimestamp} microseconds since the
 * epoch read as UTC wall-clock time, {@code ZonedTimestamp} an ISO-8601 string, and
 * {@code VariableScaleDecimal} a struct of {@code scale} and unscaled {@code value} bytes.
 *
 * <p>MySQL/MariaDB (connector setting {@code bigint.unsigned.handling.mode=precise}): BIGINT UNSIGNED
 * arrives as {@code Decimal} and stays {@code BigDecimal}; YEAR ({@code io.debezium.time.Year}), ENUM,
 * SET ({@code io.debezium.data.EnumSet}) and JSON keep their Integer or String value; BIT(n > 1)
 * ({@code io.debezium.data.Bits}, little-endian bytes) becomes big-endian {@code byte[]}; a TIME outside
 * 00:00–24:00 becomes its text. Zero dates are what Debezium makes of them, NULL in a nullable column and
 * the epoch in a NOT NULL one (Debezium's MySQL connector documentation, "Temporal types"), until
 * the MySQL engine reads them again from the source.
 */
public final class ValueConverter {
    /** Debezium's default {@code unavailable.value.placeholder}: the value of an unchanged TOAST column. */
    public static final String UNAVAILABLE_PLACEHOLDER = "__debezium_unavailable_value";
    private static final byte[] UNAVAILABLE_BYTES = UNAVAILABLE_PLACEHOLDER.getBytes(StandardCharsets.UTF_8);

    private ValueConverter() {
    }

    /**
     * @param schema the Connect schema of one column
     * @return a conversion from that column's Connect value to a Java value; {@code null} stays
     *         {@code null} and Debezium's unavailable-value placeholder becomes {@link RowChange#UNAVAILABLE}
     */
    public static UnaryOperator<Object> forSchema(Schema schema) {
        UnaryOperator<Object> convert = logical(schema);
        return value -> {
            if (value == null) {
                return null;
            }
            if (isUnavailable(value)) {
                return RowChange.UNAVAILABLE;
            }
            return convert.apply(value);
        };
    }

    private static UnaryOperator<Object> logical(Schema schema) {
        String name = schema.name();
        if (name != null) {
            switch (name) {
                case "org.apache.kafka.connect.data.Decimal":
                    return UnaryOperator.identity();
                case "io.debezium.data.VariableScaleDecimal":
                    return v -> {
                        Struct s = (Struct) v;
                        return new BigDecimal(new BigInteger(bytes(s.get("value"))), s.getInt32("scale"));
                    };
                case "io.debezium.time.Date":
                    return v -> LocalDate.ofEpochDay(((Number) v).longValue());
                case "io.debezium.time.Time":
                    return v -> LocalTime.ofNanoOfDay(((Number) v).longValue() * 1_000_000L);
                case "io.debezium.time.MicroTime":
                    return v -> microTime(((Number) v).longValue());
                case "io.debezium.time.NanoTime":
                    return v -> LocalTime.ofNanoOfDay(((Number) v).longValue());
                case "io.debezium.time.Timestamp":
                    return v -> epochNanos(Math.multiplyExact(((Number) v).longValue(), 1_000_000L));
                case "io.debezium.time.MicroTimestamp":
                    return v -> microTimestamp(((Number) v).longValue());
                case "io.debezium.time.NanoTimestamp":
                    return v -> epochNanos(((Number) v).longValue());
                case "io.debezium.time.ZonedTimestamp":
                    return v -> OffsetDateTime.parse((String) v);
                case "io.debezium.data.Bits":
                    return v -> bigEndian(bytes(v));
                default:
                    break;
            }
        }
        return switch (schema.type()) {
            case BYTES -> ValueConverter::bytes;
            case ARRAY -> {
                UnaryOperator<Object> element = forSchema(schema.valueSchema());
                yield v -> {
                    List<?> items = (List<?>) v;
                    List<Object> out = new ArrayList<>(items.size());
                    for (Object item : items) {
                        out.add(element.apply(item));
                    }
                    return out;
                };
            }
            default -> UnaryOperator.identity();
        };
    }

    /**
     * @return a time of day as {@link LocalTime}; a MySQL TIME outside a day (-838:59:59 … 838:59:59, a
     *         duration) as its text {@code [-]H:MM:SS.ffffff}, which MySQL parses back exactly
     */
    static Object microTime(long micros) {
        if (micros >= 0 && micros < 86_400_000_000L) {
            return LocalTime.ofNanoOfDay(micros * 1_000L);
        }
        long abs = Math.abs(micros);
        return String.format("%s%d:%02d:%02d.%06d", micros < 0 ? "-" : "", abs / 3_600_000_000L,
                abs / 60_000_000L % 60, abs / 1_000_000L % 60, abs % 1_000_000L);
    }

    /** Debezium's {@code Bits} are little-endian (least significant byte first); SQL bit strings are big-endian. */
    private static byte[] bigEndian(byte[] littleEndian) {
        byte[] out = new byte[littleEndian.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = littleEndian[out.length - 1 - i];
        }
        return out;
    }

    private static LocalDateTime microTimestamp(long micros) {
        long seconds = Math.floorDiv(micros, 1_000_000L);
        int nanos = (int) Math.floorMod(micros, 1_000_000L) * 1_000;
        return LocalDateTime.ofEpochSecond(seconds, nanos, ZoneOffset.UTC);
    }

    private static LocalDateTime epochNanos(long nanos) {
        return LocalDateTime.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L),
                (int) Math.floorMod(nanos, 1_000_000_000L), ZoneOffset.UTC);
    }

    private static byte[] bytes(Object value) {
        if (value instanceof byte[] array) {
            return array;
        }
        ByteBuffer buffer = ((ByteBuffer) value).duplicate();
        byte[] array = new byte[buffer.remaining()];
        buffer.get(array);
        return array;
    }

    private static boolean isUnavailable(Object value) {
        if (value instanceof String s) {
            return s.length() == UNAVAILABLE_PLACEHOLDER.length() && s.equals(UNAVAILABLE_PLACEHOLDER);
        }
        if (value instanceof byte[] b) {
            return Arrays.equals(b, UNAVAILABLE_BYTES);
        }
        if (value instanceof ByteBuffer b) {
            return b.remaining() == UNAVAILABLE_BYTES.length && b.equals(ByteBuffer.wrap(UNAVAILABLE_BYTES));
        }
        if (value instanceof List<?> list) {
            return list.size() == 1 && list.get(0) != null && isUnavailable(list.get(0));
        }
        return false;
    }
}
