package dev.overlap.checksum;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Compares, by primary key, the rows of given keys on both sides: the re-check, while the source is frozen,
 * of the rows replication changed since a verification pass found them equal (the idea of Ghostferry's
 * iterative verifier, which re-verifies the rows written since its last pass). The rows are fetched in
 * batches of {@value #KEYS_PER_QUERY} keys with the dialect's canonical text ({@link ChecksumDialect#rowsByKeySql}),
 * on both sides at once ({@link SideBySide}), and compared value by value, so a row missing, extra or different on the
 * target is named by its key.
 *
 * <p>Both sides must be still (the source frozen, the target caught up): nothing here re-checks a difference.
 */
public final class ChangedRowComparer {
    /** Keys per query: small enough for every engine's parameter limit, large enough to amortise the round trip. */
    static final int KEYS_PER_QUERY = 1000;

    private final ChecksumDialect dialect;
    private final int maxDifferences;

    /** Binds one key value, with the type the caller knows it by, into a key lookup. */
    @FunctionalInterface
    public interface KeyBinder {
        /**
         * @param statement the statement
         * @param index the 1-based parameter index
         * @param keyColumn which key column, 0-based in key order
         * @param value the value, never {@code null} (key columns are NOT NULL)
         * @throws SQLException when the driver refuses the value
         */
        void bind(PreparedStatement statement, int index, int keyColumn, Object value) throws SQLException;
    }

    /**
     * The re-check of one table.
     *
     * @param keys keys compared
     * @param differences rows that differ, all of them
     * @param first the first differences, at most the comparer's {@code maxDifferences}
     */
    public record Outcome(long keys, long differences, List<RowDifference> first) {
    }

    /**
     * @param dialect the SQL of both sides' engine
     * @param maxDifferences most differences listed per table ({@code >= 0}); the count covers all
     */
    public ChangedRowComparer(ChecksumDialect dialect, int maxDifferences) {
        this.dialect = dialect;
        this.maxDifferences = maxDifferences;
    }

    /**
     * @param source a connection to the source, prepared with {@link ChecksumDialect#prepareSession}
     * @param target a connection to the target, prepared the same way
     * @param table the table
     * @param keyColumns the names of the key columns the keys are given in, in key order
     * @param keys the keys to compare, each its key columns' values in that order
     * @param binder binds a key value
     * @return the outcome, or empty when the table cannot be compared by these keys: missing on a side, columns
     *         that differ between the sides, or a primary key other than {@code keyColumns}
     * @throws SQLException when either side fails
     * @throws InterruptedException when interrupted while the target is read
     */
    public Optional<Outcome> compare(Connection source, Connection target, TableName table, List<String> keyColumns,
                                     Collection<List<Object>> keys, KeyBinder binder) throws SQLException, InterruptedException {
        Optional<TableSchema> onSource = dialect.describe(source, table);
        Optional<TableSchema> onTarget = dialect.describe(target, table);
        if (onSource.isEmpty() || onTarget.isEmpty()
                || !onSource.get().key().stream().map(TableSchema.Column::name).toList().equals(keyColumns)) {
            return Optional.empty();
        }
        Optional<TableSchema> aligned = Verifier.align(onSource.get(), onTarget.get());
        if (aligned.isEmpty()) {
            return Optional.empty();
        }
        TableSide sourceSide = new TableSide(source, dialect, onSource.get());
        TableSide targetSide = new TableSide(target, dialect, aligned.get());
        List<RowDifference> first = new ArrayList<>();
        long differences = 0;
        List<List<Object>> all = new ArrayList<>(keys);
        try (SideBySide sides = new SideBySide("changed-rows-target")) {
            for (int from = 0; from < all.size(); from += KEYS_PER_QUERY) {
                List<List<Object>> batch = all.subList(from, Math.min(all.size(), from + KEYS_PER_QUERY));
                SideBySide.Pair<List<Row>> rows = sides.read(() -> sourceSide.rows(batch, binder), () -> targetSide.rows(batch, binder));
                List<RowDifference> found = RowComparison.compare(onSource.get(), rows.source(), rows.target());
                differences += found.size();
                for (RowDifference difference : found) {
                    if (first.size() < maxDifferences) {
                        first.add(difference);
                    }
                }
            }
        }
        return Optional.of(new Outcome(all.size(), differences, List.copyOf(first)));
    }
}
