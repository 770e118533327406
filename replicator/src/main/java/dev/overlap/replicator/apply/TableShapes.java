package dev.overlap.replicator.apply;

import dev.overlap.replicator.catalog.SourceTable;
import dev.overlap.replicator.catalog.TableCatalog;
import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.catalog.TargetTable;
import dev.overlap.replicator.sql.SqlDialect;
import dev.overlap.replicator.stream.RowChange;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the {@link Applier} knows of each replicated table: its shape on the target, what the source says of it
 * (key, unique indexes, cascading foreign keys), the {@link CollisionRules} that follow, and which tables the
 * target holds. Starts from the preflight's; after DDL statements ({@link #schemaChanged}) the target shapes are
 * read again as changes need them, and a table a statement created or changed is described by its target shape,
 * as the target ran the same statement at the same point of the stream (docs/ARCHITECTURE.md, "Schema changes").
 * Used on the stream's one thread.
 */
final class TableShapes {
    private final SqlDialect dialect;
    /** Target shapes by source table. */
    private final Map<TableId, TargetTable> targets;
    private final Map<TableId, SourceTable> sources = new HashMap<>();
    private final Map<TableId, CollisionRules> rules = new HashMap<>();
    /** {@link #known()}, in the order of the preflight, then of creation. */
    private final Set<TableId> known = new LinkedHashSet<>();
    private boolean cascading;

    /**
     * @param dialect the target's dialect
     * @param sources the replicated tables on the source, as the preflight found them
     * @param targets their shapes on the target, by source table; a table left out is described when a change needs it
     */
    TableShapes(SqlDialect dialect, List<SourceTable> sources, Map<TableId, TargetTable> targets) {
        this.dialect = dialect;
        this.targets = new HashMap<>(targets);
        for (SourceTable source : sources) {
            this.sources.put(source.id(), source);
            this.known.add(source.id());
        }
        this.cascading = sources.stream().anyMatch(SourceTable::cascades);
    }

    /**
     * Describes, on the target, the tables of these changes no shape is held for (new, or touched by a DDL statement).
     *
     * @param connection a target connection
     * @param changes the changes of a batch
     * @throws ApplyException when the target lacks a table, naming it and the fix
     * @throws SQLException when the catalog cannot be read
     */
    void describe(Connection connection, List<RowChange> changes) throws SQLException {
        for (TableId table : changes.stream().map(RowChange::table).distinct().filter(t -> !targets.containsKey(t)).toList()) {
            TableId onTarget = dialect.targetTable(connection, table);
            TargetTable shape = TableCatalog.describe(connection, onTarget).orElseThrow(() -> new ApplyException("change for table "
                    + table + ", which the target lacks; create it on the target as on the source, then restart overlap", null));
            targets.put(table, shape);
            if (!sources.containsKey(table)) {
                SourceTable derived = new SourceTable(table, List.copyOf(shape.columns().keySet()), shape.keyColumns(),
                        shape.uniqueIndexes(), dialect.cascades(connection, onTarget));
                sources.put(table, derived);
                cascading |= derived.cascades();
            }
        }
    }

    /** @return whether every table of these changes has a shape ({@link #describe} is not needed) */
    boolean describes(List<RowChange> changes) {
        return changes.stream().allMatch(c -> targets.containsKey(c.table()));
    }

    /** @return the target shape of a table the last {@link #describe} covered */
    TargetTable target(TableId table) {
        return targets.get(table);
    }

    /** @return whether deleting or re-keying the table's rows changes others inside the storage engine */
    boolean cascades(TableId table) {
        return sources.get(table).cascades();
    }

    /** @return whether some table cascades: a batch then keeps the order between tables */
    boolean cascading() {
        return cascading;
    }

    /** @return the collision rules of the change's table, for the key the change carries */
    CollisionRules rules(RowChange change) {
        SourceTable source = sources.get(change.table());
        CollisionRules table = rules.computeIfAbsent(change.table(), id -> source.cascades() ? CollisionRules.ANY
                : CollisionRules.of(source, targets.get(id)));
        return source.keyColumns().equals(change.keyColumns()) ? table : CollisionRules.ANY;
    }

    /**
     * @return the change, keyed by its table's primary key where the connector sent it without one: Debezium's
     *         PostgreSQL connector reads a new table's key from the live catalog when it first decodes the table, and
     *         finds none when the table was renamed or dropped since (it logs "Primary keys are not defined")
     */
    RowChange keyed(RowChange change) {
        SourceTable source = change.keyed() ? null : sources.get(change.table());
        if (source == null || source.keyColumns().isEmpty() || !change.row().keySet().containsAll(source.keyColumns())) {
            return change;
        }
        return new RowChange(change.table(), change.op(), source.keyColumns(), change.row(), change.before(), change.sourceTsMs(),
                change.newKey());
    }

    /**
     * After DDL statements committed on the target: every target shape is read again as changes need it, the tables
     * they named are described by their target shape, cascading foreign keys are read again, and the tables the target
     * holds (partitions aside) are counted again.
     *
     * @param connection a target connection
     * @param named the tables the statements named
     * @throws SQLException when the catalog cannot be read
     */
    void schemaChanged(Connection connection, Collection<TableId> named) throws SQLException {
        targets.clear();
        rules.clear();
        named.forEach(sources::remove);
        for (SourceTable source : List.copyOf(sources.values())) {
            boolean cascades = dialect.cascades(connection, dialect.targetTable(connection, source.id()));
            if (cascades != source.cascades()) {
                sources.put(source.id(), new SourceTable(source.id(), source.columns(), source.keyColumns(), source.uniqueIndexes(),
                        cascades));
            }
        }
        cascading = sources.values().stream().anyMatch(SourceTable::cascades);
        Set<TableId> touched = new LinkedHashSet<>(known);
        touched.addAll(named);
        for (TableId table : touched) {
            TableId onTarget = dialect.targetTable(connection, table);
            if (TableCatalog.exists(connection, onTarget) && !dialect.partition(connection, onTarget)) {
                known.add(table);
            } else {
                known.remove(table);
            }
        }
    }

    /**
     * @return the replicated tables as the target holds them now: those selected at start, plus those DDL statements
     *         created, less those they dropped or renamed
     */
    List<TableId> known() {
        return List.copyOf(known);
    }
}
