package dev.overlap.replicator.copy;

import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.catalog.TargetTable;
import dev.overlap.replicator.sql.SqlDialect;
import java.util.List;

/**
 * One unit of the initial copy: the rows of a table whose integer key lies in {@code [from, to)}, or the
 * whole table. The first chunk of a table has no lower bound and the last no upper bound, so every row
 * is in exactly one chunk whatever the key values are.
 *
 * @param table the table, the same name on both hosts
 * @param target its shape on the target, for the columns written
 * @param columns the columns copied: the target's columns the source also has, without generated ones
 * @param keyColumn the integer key the ranges are of, or {@code null} for a whole-table chunk
 * @param from the lowest key value of the chunk, or {@code null} for none
 * @param to the key value after the chunk's last, or {@code null} for none
 * @param index the chunk's number within its table, from 0
 * @param chunks how many chunks the table has
 */
public record CopyChunk(TableId table, TargetTable target, List<String> columns, String keyColumn, Long from, Long to,
                        int index, int chunks) {

    /**
     * @param dialect the source's dialect, for quoting
     * @return the chunk's row condition, e.g. {@code  WHERE "id" >= 1000 AND "id" < 2000}; empty for a whole table
     */
    public String where(SqlDialect dialect) {
        if (keyColumn == null || from == null && to == null) {
            return "";
        }
        String key = dialect.quote(keyColumn);
        if (from == null) {
            return " WHERE " + key + " < " + to;
        }
        return to == null ? " WHERE " + key + " >= " + from : " WHERE " + key + " >= " + from + " AND " + key + " < " + to;
    }

    @Override
    public String toString() {
        return table + (chunks == 1 ? "" : " chunk " + (index + 1) + "/" + chunks);
    }
}
