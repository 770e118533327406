package dev.overlap.checksum;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The primary-key value of one row, as the text of each key column (the engine's text output, which
 * casts back to the same value), in key-column order.
 *
 * @param values one text per key column; never {@code null} (key columns are NOT NULL)
 */
public record Key(List<String> values) {

    /**
     * @param columns the key columns, same order and size as {@link #values}
     * @return column name to value text, in key order (the report's form)
     */
    public Map<String, String> named(List<TableSchema.Column> columns) {
        Map<String, String> named = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            named.put(columns.get(i).name(), values.get(i));
        }
        return named;
    }
}
