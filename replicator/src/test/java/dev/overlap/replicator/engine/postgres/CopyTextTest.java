package dev.overlap.replicator.engine.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CopyTextTest {

    private static String text(Object value) {
        StringBuilder out = new StringBuilder();
        assertThat(CopyText.append(out, value)).as("written: %s", value).isTrue();
        return out.toString();
    }

    @Test
    void escapesTheCharactersThatEndAFieldOrARow() {
        assertThat(text("a\tb\nc\rd\\e")).isEqualTo("a\\tb\\nc\\rd\\\\e");
        assertThat(text(null)).isEqualTo("\\N");
        assertThat(text("\\N")).isEqualTo("\\\\N");
    }

    @Test
    void writesEachKindInPostgresInputSyntax() {
        assertThat(text(new BigDecimal("1E+3"))).isEqualTo("1000");
        assertThat(text(true)).isEqualTo("t");
        assertThat(text(new byte[] {0, (byte) 0xff})).isEqualTo("\\\\x00ff");
        assertThat(text(LocalDateTime.of(2024, 1, 1, 12, 0))).isEqualTo("2024-01-01 12:00:00.000000");
        assertThat(text(OffsetDateTime.of(2024, 6, 1, 10, 0, 0, 654_321_000, ZoneOffset.UTC))).isEqualTo("2024-06-01 10:00:00.654321+00:00");
        assertThat(text(Arrays.asList(1, null, 3))).isEqualTo("{\"1\",NULL,\"3\"}");
        assertThat(text(List.of("a\"b\\c"))).isEqualTo("{\"a\\\\\"b\\\\\\\\c\"}");
    }

    @Test
    void leavesDatesOutsideTheCommonEraAndUnknownKindsToStatements() {
        assertThat(CopyText.append(new StringBuilder(), LocalDate.of(-44, 3, 15))).isFalse();
        assertThat(CopyText.append(new StringBuilder(), LocalDateTime.of(294_276, 12, 31, 23, 59))).isFalse();
        assertThat(CopyText.append(new StringBuilder(), new Object())).isFalse();
    }
}
