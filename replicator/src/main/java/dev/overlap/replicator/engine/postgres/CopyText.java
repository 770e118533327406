package dev.overlap.replicator.engine.postgres;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Values in the text format of {@code COPY … FROM STDIN} (PostgreSQL manual, "COPY: File Formats, Text
 * Format"): tab-separated columns, {@code \N} for NULL, backslash escapes for backslash, tab, newline and
 * carriage return; each value in its type's input syntax.
 */
final class CopyText {
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT);
    private static final DateTimeFormatter TIMESTAMPTZ = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSSxxx", Locale.ROOT);
    private static final HexFormat HEX = HexFormat.of();

    private CopyText() {
    }

    /**
     * @param out where the value goes
     * @param value a value as the change stream converted it, or {@code null}
     * @return whether it was written; {@code false} for a kind this format is not written for here (the caller
     *         then uses statements), with {@code out} left partly written
     */
    static boolean append(StringBuilder out, Object value) {
        if (value == null) {
            out.append("\\N");
        } else if (value instanceof String text) {
            escape(out, text);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte
                || value instanceof BigInteger || value instanceof Double || value instanceof Float || value instanceof UUID) {
            out.append(value);
        } else if (value instanceof BigDecimal decimal) {
            out.append(decimal.toPlainString());
        } else if (value instanceof Boolean bool) {
            out.append(bool ? 't' : 'f');
        } else if (value instanceof byte[] bytes) {
            out.append("\\\\x").append(HEX.formatHex(bytes));
        } else if (value instanceof LocalDate date) {
            if (!commonEra(date.getYear())) {
                return false;
            }
            out.append(date);
        } else if (value instanceof LocalDateTime timestamp) {
            if (!commonEra(timestamp.getYear())) {
                return false;
            }
            out.append(TIMESTAMP.format(timestamp));
        } else if (value instanceof OffsetDateTime timestamp) {
            if (!commonEra(timestamp.getYear())) {
                return false;
            }
            out.append(TIMESTAMPTZ.format(timestamp));
        } else if (value instanceof LocalTime time) {
            out.append(time);
        } else if (value instanceof List<?> list) {
            escape(out, PostgresDialect.arrayLiteral(list));
        } else {
            return false;
        }
        return true;
    }

    /** Years PostgreSQL writes without an era suffix and Java's formatter writes with four digits. */
    private static boolean commonEra(int year) {
        return year >= 1 && year <= 9999;
    }

    private static void escape(StringBuilder out, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
    }
}
