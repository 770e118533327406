package dev.overlap.replicator.apply;

import dev.overlap.replicator.catalog.SourceTable;
import dev.overlap.replicator.catalog.TargetTable;
import dev.overlap.replicator.catalog.UniqueIndex;
import dev.overlap.replicator.stream.RowChange;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where two rows of one table can collide apart from the key the Applier writes by: the columns of
 * every other unique index and constraint, on the source or only on the target (a target-only primary
 * key included). A table without any ({@link #none()}) has its changes coalesced per key and reordered
 * freely within a batch; any other table keeps the source's order of its changes ({@link BatchPlan}).
 *
 * @param columnSets the columns of each such index
 * @param opaque whether some index is not over plain columns (expressions, prefixes, a predicate, an
 *        exclusion constraint), so that any column may make two rows collide
 */
record CollisionRules(List<Set<String>> columnSets, boolean opaque) {
    /** Only the key is unique. */
    static final CollisionRules NONE = new CollisionRules(List.of(), false);
    /** Anything may collide: the rules of a change whose key differs from the one the table was checked with. */
    static final CollisionRules ANY = new CollisionRules(List.of(), true);

    /**
     * @param source the source table; its {@link SourceTable#keyColumns()} are the key the Applier writes by
     * @param target the same table on the target
     * @return the rules for that table
     */
    static CollisionRules of(SourceTable source, TargetTable target) {
        Set<String> key = new HashSet<>(source.keyColumns());
        List<UniqueIndex> indexes = new ArrayList<>(source.uniqueIndexes());
        indexes.addAll(target.uniqueIndexes());
        if (!target.keyColumns().isEmpty()) {
            indexes.add(new UniqueIndex("primary key", target.keyColumns(), true));
        }
        Set<Set<String>> sets = new LinkedHashSet<>();
        boolean opaque = false;
        for (UniqueIndex index : indexes) {
            Set<String> columns = new HashSet<>(index.columns());
            if (!index.exact()) {
                opaque = true;
            } else if (!columns.equals(key)) {
                sets.add(Set.copyOf(columns));
            }
        }
        return sets.isEmpty() && !opaque ? NONE : new CollisionRules(List.copyOf(sets), opaque);
    }

    /** @return whether no unique value besides the key can collide, so changes may be coalesced and reordered */
    boolean none() {
        return columnSets.isEmpty() && !opaque;
    }

    /**
     * Whether a later image of a row holds the same unique values as an earlier one, so that the later
     * change may take the earlier one's place in the order without any unique value moving at another time.
     * A column the later image does not carry ({@link RowChange#UNAVAILABLE}) is unchanged.
     *
     * @param earlier the row's earlier image
     * @param later its later image
     * @return whether every column of every unique index is equal; never for opaque rules
     */
    boolean sameUniqueValues(Map<String, Object> earlier, Map<String, Object> later) {
        if (opaque) {
            return false;
        }
        for (Set<String> columns : columnSets) {
            for (String column : columns) {
                Object value = later.get(column);
                if (value != RowChange.UNAVAILABLE && !Objects.deepEquals(earlier.get(column), value)) {
                    return false;
                }
            }
        }
        return true;
    }
}
