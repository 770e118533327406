package dev.overlap.replicator.pipeline;

import dev.overlap.replicator.UserError;
import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.copy.CopyProgressStore;
import dev.overlap.replicator.engine.Engine;
import dev.overlap.replicator.jdbc.Connections;
import dev.overlap.replicator.offset.FailureStore;
import dev.overlap.replicator.offset.OffsetStore;
import dev.overlap.replicator.offset.StoredOffset;
import dev.overlap.replicator.sql.SqlDialect;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides where a pipeline's stream starts, from the offset stored in the target:
 * <ul>
 *   <li>no stored offset: a new pipeline. What an earlier start left without an offset (a replication
 *       slot, a schema history) is cleared, and with {@code snapshot: initial} the target tables must be
 *       empty.</li>
 *   <li>an initial copy that stopped before it stored its offset (its progress rows are on the target), or an
 *       offset taken inside an unfinished Debezium snapshot: the copy restarts from scratch (the pipeline's
 *       partial copy is deleted from the target), so that no row is copied twice.</li>
 *   <li>an offset from streaming: the source must still have that position (slot, binlog); streaming
 *       resumes right after it.</li>
 * </ul>
 * Creates Overlap's tables on the target first, and reads the failure the last start stopped on, if
 * any ({@link FailureStore}).
 *
 * @param stored the offset to resume from, or {@code null} for a new pipeline
 * @param lastFailure the failure the last start stopped on, or {@code null}
 */
record ResumePoint(StoredOffset stored, FailureStore.Failure lastFailure) {
    private static final Logger LOG = LoggerFactory.getLogger(ResumePoint.class);

    /**
     * The pipeline's stores on the target that the decision reads.
     *
     * @param offsets the offset store
     * @param failures the failure store
     * @param copyProgress the initial copy's progress store
     */
    record Stores(OffsetStore offsets, FailureStore failures, CopyProgressStore copyProgress) {
    }

    /**
     * @param config the pipeline's configuration
     * @param engine the pipeline's engine (its own tables, resume rules)
     * @param dialect the target's dialect
     * @param pool the target pool, auto-commit off
     * @param stores the pipeline's offset, failure and copy progress stores
     * @param tables the replicated tables, without Overlap's own
     * @return where to start
     * @throws UserError when the target's tables cannot be created, a new pipeline's target tables hold rows,
     *         or the source lost the stored position
     */
    static ResumePoint decide(OverlapConfig config, Engine engine, SqlDialect dialect, DataSource pool, Stores stores,
                              Collection<TableId> tables) {
        OffsetStore offsets = stores.offsets();
        try (Connection c = pool.getConnection()) {
            try {
                offsets.createTable(c);
                stores.failures().createTable(c);
                stores.copyProgress().createTable(c);
                engine.createTargetTables(c);
                c.commit();
            } catch (SQLException e) {
                throw new UserError("target " + config.target().display() + ": cannot create Overlap's tables (SQLState "
                        + e.getSQLState() + "); grant the user CREATE on the target's schema");
            }
            Optional<StoredOffset> stored = offsets.load(c);
            FailureStore.Failure lastFailure = stores.failures().load(c).orElse(null);
            int copiedChunks = stored.isEmpty() ? stores.copyProgress().finishedChunks(c) : 0;
            c.commit();
            engine.beforeResume();
            if (copiedChunks > 0 || stored.isPresent() && stored.get().position().snapshotInProgress()) {
                LOG.warn("the initial copy of pipeline {} was interrupted{}; deleting the partial copy and copying again from a new"
                        + " snapshot", config.pipeline(), copiedChunks > 0 ? " after " + copiedChunks + " chunks" : "");
                clearPartialSnapshot(c, dialect, stores, tables);
                stored = Optional.empty();
            }
            if (stored.isEmpty()) {
                engine.startFresh(c);
                c.commit();
                requireEmptyTargets(c, config, dialect, tables);
                return new ResumePoint(null, lastFailure);
            }
            engine.checkResumable(c, stored.get());
            c.commit();
            LOG.info("resuming pipeline {} from {}", config.pipeline(), stored.get().position().describe());
            return new ResumePoint(stored.get(), lastFailure);
        } catch (SQLException e) {
            throw Connections.explain(config.target(), e);
        }
    }

    /** Deletes the rows of an interrupted initial copy, its progress and offset, so that it starts again from scratch. */
    private static void clearPartialSnapshot(Connection c, SqlDialect dialect, Stores stores, Collection<TableId> tables)
            throws SQLException {
        try (Statement st = c.createStatement()) {
            for (TableId id : tables) {
                st.executeUpdate("DELETE FROM " + dialect.table(id));
            }
        }
        stores.offsets().delete(c);
        stores.copyProgress().clear(c);
        c.commit();
    }

    /** A new pipeline with {@code snapshot: initial} needs empty target tables; logs how it starts. */
    private static void requireEmptyTargets(Connection c, OverlapConfig config, SqlDialect dialect, Collection<TableId> tables)
            throws SQLException {
        TableId nonEmpty = config.snapshot().mode() == OverlapConfig.SnapshotMode.INITIAL ? firstNonEmpty(c, dialect, tables) : null;
        c.commit();
        if (nonEmpty != null) {
            throw new UserError("target " + config.target().display() + ": table " + nonEmpty + " already holds rows,"
                    + " but the initial snapshot needs empty target tables; truncate them on the target, or set snapshot: never"
                    + " if the target already holds the data");
        }
        LOG.info("new pipeline {}: {}", config.pipeline(), config.snapshot().mode() == OverlapConfig.SnapshotMode.INITIAL
                ? "initial snapshot, then streaming" : "streaming from now on, no snapshot");
    }

    /** @return the first table that holds rows, or {@code null} when all are empty */
    private static TableId firstNonEmpty(Connection c, SqlDialect dialect, Collection<TableId> tables) throws SQLException {
        for (TableId id : tables) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1 FROM " + dialect.table(id) + " LIMIT 1")) {
                if (rs.next()) {
                    return id;
                }
            }
        }
        return null;
    }
}
