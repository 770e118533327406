package dev.overlap.checksum;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Compares the rows of one key range fetched from both sides, matching them by primary key. */
final class RowComparison {
    private RowComparison() {
    }

    /**
     * @param table the table (key and column names)
     * @param source the source's rows of the range
     * @param target the target's rows of the same range
     * @return missing, then different rows in the source's order, then extra rows in the target's order
     */
    static List<RowDifference> compare(TableSchema table, List<Row> source, List<Row> target) {
        Map<Key, Row> targetByKey = new LinkedHashMap<>();
        target.forEach(row -> targetByKey.put(row.key(), row));
        List<RowDifference> differences = new ArrayList<>();
        for (Row row : source) {
            Row other = targetByKey.remove(row.key());
            if (other == null) {
                differences.add(new RowDifference(RowDifference.Kind.MISSING, row.key().named(table.key()), List.of()));
                continue;
            }
            List<String> columns = new ArrayList<>();
            for (int i = 0; i < row.values().size(); i++) {
                if (!Objects.equals(row.values().get(i), other.values().get(i))) {
                    columns.add(table.columns().get(i).name());
                }
            }
            if (!columns.isEmpty()) {
                differences.add(new RowDifference(RowDifference.Kind.DIFFERENT, row.key().named(table.key()), List.copyOf(columns)));
            }
        }
        for (Row extra : targetByKey.values()) {
            differences.add(new RowDifference(RowDifference.Kind.EXTRA, extra.key().named(table.key()), List.of()));
        }
        return differences;
    }
}
