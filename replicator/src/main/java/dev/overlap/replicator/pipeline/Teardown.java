package dev.overlap.replicator.pipeline;

import dev.overlap.replicator.UserError;
import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.copy.CopyProgressStore;
import dev.overlap.replicator.engine.Engine;
import dev.overlap.replicator.engine.Engines;
import dev.overlap.replicator.heartbeat.SourceProbe;
import dev.overlap.replicator.jdbc.Connections;
import dev.overlap.replicator.offset.FailureStore;
import dev.overlap.replicator.offset.OffsetStore;
import dev.overlap.replicator.promote.Cutover;
import dev.overlap.replicator.promote.PromotionStore;
import dev.overlap.replicator.sql.SqlDialect;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code overlap finish}: ends the overlap of a promoted pipeline by removing what Overlap keeps on both hosts (README,
 * "Cutover runbook"). While it holds the pipeline's daemon lock (so no daemon of the pipeline runs), it drops on the
 * old host the replication slot, the publication and the DDL event triggers, and the pipeline's rows of
 * {@value SourceProbe#TABLE} and the engine's own source tables ({@link Engine#ownSourceTables}); on the new host the
 * pipeline's rows of Overlap's state tables and the engine's own ({@link Engine#ownTargetTables}). A table left without rows of any pipeline is dropped; the shared source tables only once
 * no other pipeline has a heartbeat row there, so another pipeline on the same host keeps working.
 */
public final class Teardown {
    /** Overlap's tables on the target on every engine, all keyed by the pipeline's name; the promotion's record last. */
    private static final List<String> TARGET_TABLES = List.of(OffsetStore.TABLE, CopyProgressStore.TABLE, FailureStore.TABLE,
            SourceProbe.TABLE, PromotionStore.TABLE);

    private final OverlapConfig config;

    /**
     * What finish removed and what it could not.
     *
     * @param pipeline the pipeline
     * @param removed e.g. {@code source: replication slot overlap_shop}, {@code target: overlap_offsets: 1 rows; table dropped}
     * @param left what could not be removed, with the reason (SQLSTATE) and where; empty when all went
     */
    public record Report(String pipeline, List<String> removed, List<String> left) {
    }

    /** @param config the pipeline's configuration */
    public Teardown(OverlapConfig config) {
        this.config = config;
    }

    /**
     * @param abandon whether a pipeline that was not promoted may be torn down (the migration is given up)
     * @return the report
     * @throws UserError when a daemon of the pipeline runs, a promote is unfinished, the pipeline was not promoted and
     *         {@code abandon} is not set, or a host cannot be reached
     */
    public Report finish(boolean abandon) {
        try (Engine engine = Engines.connect(config);
             DaemonLock lock = DaemonLock.acquire(config.target(), engine.dialect(), config.pipeline())) {
            checkPromoted(engine.dialect(), abandon);
            Cutover cutover = engine.cutover();
            List<String> removed = new ArrayList<>();
            List<String> left = new ArrayList<>();
            try {
                cutover.dropReplication(config.slotName()).forEach(r -> removed.add("source: " + r));
            } catch (SQLException e) {
                left.add("source: replication slot and publication " + config.slotName() + " (SQLState " + e.getSQLState() + ")");
            }
            boolean heartbeatDropped = remove(cutover, true, SourceProbe.TABLE, true, removed, left);
            for (String table : engine.ownSourceTables()) {
                remove(cutover, true, table, heartbeatDropped, removed, left);
            }
            List<String> targetTables = new ArrayList<>(engine.ownTargetTables());
            targetTables.addAll(TARGET_TABLES);
            for (String table : targetTables) {
                remove(cutover, false, table, true, removed, left);
            }
            return new Report(config.pipeline(), List.copyOf(removed), List.copyOf(left));
        }
    }

    /** @return whether the table is gone now (dropped here) */
    private boolean remove(Cutover cutover, boolean onSource, String table, boolean drop, List<String> removed, List<String> left) {
        String host = onSource ? "source: " : "target: ";
        try {
            List<String> done = cutover.removeRows(onSource, config.pipeline(), table, drop);
            done.forEach(r -> removed.add(host + r));
            return done.stream().anyMatch(r -> r.endsWith("table dropped"));
        } catch (SQLException e) {
            left.add(host + table + " (SQLState " + e.getSQLState() + ")");
            return false;
        }
    }

    /**
     * @throws UserError when a promote is unfinished, or the pipeline replicates (an offset or a copy in progress on the
     *         target) and was not promoted, unless {@code abandon}; a pipeline with neither (finished before) passes
     */
    private void checkPromoted(SqlDialect dialect, boolean abandon) {
        String state;
        boolean replicating;
        try (Connection c = Connections.open(config.target())) {
            state = !exists(c, dialect, PromotionStore.TABLE) ? null
                    : new PromotionStore(config.pipeline(), dialect).load(c).map(PromotionStore.Promotion::state).orElse(null);
            replicating = !"promoted".equals(state) && !abandon && replicating(c, dialect);
        } catch (SQLException e) {
            throw Connections.explain(config.target(), e);
        }
        if ("frozen".equals(state) || "opening".equals(state)) {
            throw new UserError("pipeline '" + config.pipeline() + "' has an unfinished promote (" + state + "); run overlap promote"
                    + " to finish it, then overlap finish");
        }
        if (replicating) {
            throw new UserError("pipeline '" + config.pipeline() + "' was not promoted, so finishing it ends the migration without a"
                    + " cutover; to give it up and remove Overlap's slot, publication and tables anyway, run overlap finish --abandon");
        }
    }

    /** @return whether the table exists in the user's default schema or database (the stores' {@code load} would create it) */
    private static boolean exists(Connection c, SqlDialect dialect, String table) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1 FROM " + dialect.quote(table) + " WHERE 1 = 0")) {
            return true;
        } catch (SQLException e) {
            if (dialect.undefinedTable(e)) {
                return false;
            }
            throw e;
        }
    }

    /** @return whether the target holds the pipeline's offset or initial-copy progress */
    private boolean replicating(Connection c, SqlDialect dialect) throws SQLException {
        try {
            return new OffsetStore(config.pipeline(), dialect).load(c).isPresent()
                    || new CopyProgressStore(config.pipeline(), dialect).finishedChunks(c) > 0;
        } catch (SQLException e) {
            if (dialect.undefinedTable(e)) {
                return false;
            }
            throw e;
        }
    }
}
