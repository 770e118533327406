package dev.overlap.replicator.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.List;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

class ValueConverterTest {
    private static Object convert(Schema schema, Object value) {
        return ValueConverter.forSchema(schema).apply(value);
    }

    private static Schema named(Schema.Type type, String name) {
        return new SchemaBuilder(type).name(name).build();
    }

    @Test
    void temporalTypesKeepMicroseconds() {
        assertThat(convert(named(Schema.Type.INT32, "io.debezium.time.Date"), 19782)).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(convert(named(Schema.Type.INT64, "io.debezium.time.MicroTime"), 86_399_999_999L))
                .isEqualTo(LocalTime.of(23, 59, 59, 999_999_000));
        assertThat(convert(named(Schema.Type.INT64, "io.debezium.time.MicroTimestamp"), -1L))
                .isEqualTo(LocalDateTime.of(1969, 12, 31, 23, 59, 59, 999_999_000));
        assertThat(convert(named(Schema.Type.INT64, "io.debezium.time.Timestamp"), 1_500L))
                .isEqualTo(LocalDateTime.of(1970, 1, 1, 0, 0, 1, 500_000_000));
        assertThat(convert(named(Schema.Type.STRING, "io.debezium.time.ZonedTimestamp"), "2024-06-01T10:00:00.654321Z"))
                .isEqualTo(OffsetDateTime.parse("2024-06-01T10:00:00.654321Z"));
    }

    @Test
    void mySqlTypesConvertExactly() {
        // TIME beyond a day (MySQL TIME is a duration up to 838:59:59) stays exact as text
        assertThat(convert(named(Schema.Type.INT64, "io.debezium.time.MicroTime"), 3_020_399_000_000L)).isEqualTo("838:59:59.000000");
        assertThat(convert(named(Schema.Type.INT64, "io.debezium.time.MicroTime"), -1_500_000L)).isEqualTo("-0:00:01.500000");
        // BIT(n): Debezium sends the bits little-endian, SQL wants them big-endian
        assertThat((byte[]) convert(named(Schema.Type.BYTES, "io.debezium.data.Bits"), new byte[] {0x02, 0x01}))
                .containsExactly(0x01, 0x02);
        // unsigned BIGINT above 2^63 (bigint.unsigned.handling.mode=precise) stays a BigDecimal
        assertThat(convert(Decimal.schema(0), new BigDecimal("18446744073709551615"))).isEqualTo(new BigDecimal("18446744073709551615"));
        assertThat(convert(named(Schema.Type.INT32, "io.debezium.time.Year"), 2155)).isEqualTo(2155);
        assertThat(convert(named(Schema.Type.STRING, "io.debezium.data.EnumSet"), "a,c")).isEqualTo("a,c");
    }

    @Test
    void decimalsStayExact() {
        Schema precise = Decimal.schema(6);
        assertThat(convert(precise, new BigDecimal("12345678901234.123456"))).isEqualTo(new BigDecimal("12345678901234.123456"));

        Schema variable = SchemaBuilder.struct().name("io.debezium.data.VariableScaleDecimal")
                .field("scale", Schema.INT32_SCHEMA).field("value", Schema.BYTES_SCHEMA).build();
        Struct value = new Struct(variable).put("scale", 35).put("value",
                new BigInteger("314159265358979323846264338327950288").toByteArray());
        assertThat(convert(variable, value)).isEqualTo(new BigDecimal("3.14159265358979323846264338327950288"));
    }

    @Test
    void unavailablePlaceholderBecomesTheMarker() {
        String placeholder = ValueConverter.UNAVAILABLE_PLACEHOLDER;
        assertThat(convert(Schema.STRING_SCHEMA, placeholder)).isSameAs(RowChange.UNAVAILABLE);
        assertThat(convert(Schema.BYTES_SCHEMA, ByteBuffer.wrap(placeholder.getBytes(StandardCharsets.UTF_8))))
                .isSameAs(RowChange.UNAVAILABLE);
        assertThat(convert(SchemaBuilder.array(Schema.STRING_SCHEMA).build(), List.of(placeholder))).isSameAs(RowChange.UNAVAILABLE);
        assertThat(convert(Schema.STRING_SCHEMA, "ordinary")).isEqualTo("ordinary");
    }

    @Test
    void bytesAndArraysBecomeJavaValues() {
        assertThat((byte[]) convert(Schema.BYTES_SCHEMA, ByteBuffer.wrap(new byte[] {1, 2}))).containsExactly(1, 2);
        assertThat(convert(SchemaBuilder.array(named(Schema.Type.INT32, "io.debezium.time.Date")).build(), List.of(0)))
                .isEqualTo(List.of(LocalDate.of(1970, 1, 1)));
        assertThat(convert(Schema.OPTIONAL_INT32_SCHEMA, null)).isNull();
    }
}
