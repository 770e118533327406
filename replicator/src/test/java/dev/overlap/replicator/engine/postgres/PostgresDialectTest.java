package dev.overlap.replicator.engine.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.overlap.replicator.catalog.TargetColumn;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PostgresDialectTest {
    private final PostgresDialect dialect = new PostgresDialect();

    @Test
    void upsertUpdatesTheGivenColumns() {
        assertThat(dialect.upsert("\"s\".\"t\"", List.of("id", "a", "b"), List.of("id"), List.of("a", "b"), 2)).isEqualTo(
                "INSERT INTO \"s\".\"t\" (\"id\", \"a\", \"b\") OVERRIDING SYSTEM VALUE VALUES (?, ?, ?), (?, ?, ?)"
                        + " ON CONFLICT (\"id\") DO UPDATE SET \"a\" = EXCLUDED.\"a\", \"b\" = EXCLUDED.\"b\"");
    }

    @Test
    void upsertOfKeyOnlyTableDoesNothingOnConflict() {
        assertThat(dialect.upsert("t", List.of("a", "b"), List.of("a", "b"), List.of(), 1)).endsWith("ON CONFLICT (\"a\", \"b\") DO NOTHING");
    }

    @Test
    void deleteByCompositeKeyUsesRowValues() {
        assertThat(dialect.deleteByKey("t", List.of("a", "b"), 2)).isEqualTo("DELETE FROM t WHERE (\"a\", \"b\") IN ((?, ?), (?, ?))");
        assertThat(dialect.deleteByKey("t", List.of("id"), 3)).isEqualTo("DELETE FROM t WHERE \"id\" IN (?, ?, ?)");
    }

    @Test
    void keylessUpdateTouchesOneRowMatchedOnTheBeforeImage() {
        String sql = dialect.updateOneRow("t", List.of("v"), List.of(new TargetColumn("v", "int4", false, false, false),
                new TargetColumn("doc", "json", false, false, false)));
        assertThat(sql).isEqualTo("UPDATE t SET \"v\" = ? WHERE ctid = (SELECT ctid FROM t WHERE \"v\" IS NOT DISTINCT FROM ?"
                + " AND \"doc\"::text IS NOT DISTINCT FROM ?::text LIMIT 1 FOR UPDATE)");
    }

    @Test
    void quotesIdentifiers() {
        assertThat(dialect.quote("we\"ird")).isEqualTo("\"we\"\"ird\"");
    }

    @Test
    void arrayLiteralQuotesAndEscapesEveryElement() {
        assertThat(PostgresDialect.arrayLiteral(Arrays.asList("a,b", "c\"d", null, "", "back\\slash")))
                .isEqualTo("{\"a,b\",\"c\\\"d\",NULL,\"\",\"back\\\\slash\"}");
        assertThat(PostgresDialect.arrayLiteral(List.of(new BigDecimal("1E+3"), 2))).isEqualTo("{\"1000\",\"2\"}");
        assertThat(PostgresDialect.arrayLiteral(List.of(new byte[] {0, (byte) 0xff}))).isEqualTo("{\"\\\\x00ff\"}");
    }
}
