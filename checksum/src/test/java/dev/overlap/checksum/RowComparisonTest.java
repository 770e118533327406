package dev.overlap.checksum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RowComparisonTest {
    private static final TableSchema.Column ID = new TableSchema.Column("id", "integer", TableSchema.Kind.PLAIN, false, null);
    private static final TableSchema TABLE = new TableSchema(new TableName("public", "t"),
            List.of(ID, new TableSchema.Column("a", "text", TableSchema.Kind.PLAIN, true, "C"),
                    new TableSchema.Column("b", "text", TableSchema.Kind.PLAIN, true, "C")), List.of(ID));

    private static Row row(String id, String a, String b) {
        return new Row(new Key(List.of(id)), Arrays.asList(id, a, b));
    }

    @Test
    void namesMissingExtraAndDifferentRowsWithTheirColumns() {
        List<RowDifference> differences = RowComparison.compare(TABLE,
                List.of(row("1", "x", "y"), row("2", "x", "y"), row("3", "x", null)),
                List.of(row("1", "x", "y"), row("3", "x", ""), row("4", "x", "y"), row("2", "z", "w")));
        assertThat(differences).containsExactly(
                new RowDifference(RowDifference.Kind.DIFFERENT, Map.of("id", "2"), List.of("a", "b")),
                new RowDifference(RowDifference.Kind.DIFFERENT, Map.of("id", "3"), List.of("b")),
                new RowDifference(RowDifference.Kind.EXTRA, Map.of("id", "4"), List.of()));
        assertThat(RowComparison.compare(TABLE, List.of(row("5", "x", "y")), List.of()))
                .containsExactly(new RowDifference(RowDifference.Kind.MISSING, Map.of("id", "5"), List.of()));
    }

    @Test
    void equalRowsGiveNothing() {
        assertThat(RowComparison.compare(TABLE, List.of(row("1", null, "")), List.of(row("1", null, "")))).isEmpty();
    }
}
