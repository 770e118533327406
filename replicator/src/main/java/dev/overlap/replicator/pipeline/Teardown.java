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
 * {@code overlap finish}: ends the overlap of a promoted pipeline by removing what Overlap keeps on both hosts, for both
 * directions (README, "Cutover runbook"). While it holds both directions' daemon locks (so no daemon of the overlap
 * runs), it drops each direction's replication slot, publication and DDL event triggers on that direction's source,
 * and on both hosts the rows of both directions in {@value SourceProbe#TABLE}, the engine's own tables
 * ({@link Engine#ownSourceTables}, {@link Engine#ownTargetTables}) and Overlap's state tables. A table left without
 * rows of any pipeline is dropped; the DDL capture table only once no other pipeline has a heartbeat row on that host,
 * so another pipeline on the same host keeps working.
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
        OverlapConfig back = config.reversed();
        try (Engine engine = Engines.connect(config); Engine backEngine = Engines.connect(back);
             DaemonLock lock = DaemonLock.acquire(config.target(), engine.dialect(), config.pipeline());
             DaemonLock backLock = DaemonLock.acquire(back.target(), engine.dialect(), back.pipeline())) {
            checkPromoted(engine.dialect(), abandon);
            List<String> removed = new ArrayList<>();
            List<String> left = new ArrayList<>();
            dropReplication(engine.cutover(), config, "source: ", removed, left);
            dropReplication(backEngine.cutover(), back, "target: ", removed, left);
            List<String> pipelines = List.of(config.pipeline(), back.pipeline());
            List<String> tables = new ArrayList<>(engine.ownTargetTables());
            tables.addAll(TARGET_TABLES);
            for (boolean onSource : new boolean[] {true, false}) {
                boolean heartbeatDropped = remove(engine.cutover(), onSource, pipelines, SourceProbe.TABLE, true, removed, left);
                for (String table : engine.ownSourceTables()) {
                    remove(engine.cutover(), onSource, pipelines, table, heartbeatDropped, removed, left);
                }
                for (String table : tables) {
                    remove(engine.cutover(), onSource, pipelines, table, true, removed, left);
                }
            }
            return new Report(config.pipeline(), List.copyOf(removed), List.copyOf(left));
        }
    }

    /** The slot, publication and DDL triggers of one direction, on its source ({@code host} names it in the report). */
    private static void dropReplication(Cutover cutover, OverlapConfig direction, String host, List<String> removed, List<String> left) {
        try {
            cutover.dropReplication(direction.slotName()).forEach(r -> removed.add(host + r));
        } catch (SQLException e) {
            left.add(host + "replication slot and publication " + direction.slotName() + " (SQLState " + e.getSQLState() + ")");
        }
    }

    /** @return whether the table is gone now (dropped here) */
    private static boolean remove(Cutover cutover, boolean onSource, List<String> pipelines, String table, boolean drop,
                                  List<String> removed, List<String> left) {
        String host = onSource ? "source: " : "target: ";
        try {
            List<String> done = cutover.removeRows(onSource, pipelines, table, drop);
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
