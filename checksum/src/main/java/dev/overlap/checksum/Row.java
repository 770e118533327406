package dev.overlap.checksum;

import java.util.List;

/**
 * One row fetched for row-level comparison.
 *
 * @param key its primary key
 * @param values the canonical text of every column in catalog order; {@code null} for SQL NULL
 */
public record Row(Key key, List<String> values) {
}
