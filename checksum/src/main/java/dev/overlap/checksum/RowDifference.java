package dev.overlap.checksum;

import java.util.List;
import java.util.Map;

/**
 * One row that differs between source and target.
 *
 * @param kind what differs
 * @param key the row's primary key: column name to value text, in key order
 * @param columns for {@link Kind#DIFFERENT}, the names of the differing columns; otherwise empty
 */
public record RowDifference(Kind kind, Map<String, String> key, List<String> columns) {

    /** How a row differs. */
    public enum Kind {
        /** on the source, not on the target */
        MISSING,
        /** on the target, not on the source */
        EXTRA,
        /** on both, with different values */
        DIFFERENT;

        /** @return the lower-case name, as the JSON report writes it */
        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
