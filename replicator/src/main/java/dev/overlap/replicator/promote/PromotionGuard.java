package dev.overlap.replicator.promote;

import dev.overlap.replicator.UserError;
import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.jdbc.Connections;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a promote leaves for the next start of the pipeline, read from the target's
 * {@link PromotionStore}: a promote whose daemon died is finished ({@link #finishInterrupted}), and a finished
 * promote means nothing replicates onto the target again.
 */
public final class PromotionGuard {
    private static final Logger LOG = LoggerFactory.getLogger(PromotionGuard.class);

    private PromotionGuard() {
    }

    /**
     * Run at the pipeline's start, before anything is written: finishes an interrupted promote, then refuses
     * a promoted pipeline.
     *
     * @param config the pipeline's configuration
     * @param store the pipeline's promotion store
     * @param cutover the engine's cutover operations
     * @throws UserError when the pipeline was promoted: the target is the master now
     * @throws SQLException when a database refuses
     */
    public static void checkStart(OverlapConfig config, PromotionStore store, Cutover cutover) throws SQLException {
        finishInterrupted(config, store, cutover);
        try (Connection c = Connections.open(config.target())) {
            Optional<PromotionStore.Promotion> promotion = store.load(c);
            if (promotion.isPresent() && "promoted".equals(promotion.get().state())) {
                throw new UserError("pipeline " + config.pipeline() + " was promoted: the target is the master now and nothing"
                        + " replicates onto it; to replicate again, DELETE FROM " + PromotionStore.TABLE + " WHERE pipeline = '"
                        + config.pipeline() + "' on the target (and start from empty target tables)");
            }
        }
    }

    /** What {@link #finishInterrupted} found and did. */
    public enum Interrupted {
        /** no promote was interrupted */
        NONE,
        /** the source was frozen and the target still closed: the source is writable again */
        ROLLED_BACK,
        /** the promote had opened the target: it is recorded as promoted, and the source stays frozen */
        PROMOTED
    }

    /**
     * Finishes a promote whose daemon died on the way: before OPEN_TARGET (state {@code frozen}), or in it (state
     * {@code opening}) with the target still read-only, the source's earlier read-only setting is restored and the
     * record cleared; in OPEN_TARGET with the target open, the promote is recorded as done (the replication slot
     * dropped), and the source stays frozen, so there are never two writable masters.
     *
     * @param config the pipeline's configuration
     * @param store the pipeline's promotion store
     * @param cutover the engine's cutover operations
     * @return what was found and done
     * @throws SQLException when a database refuses
     */
    public static Interrupted finishInterrupted(OverlapConfig config, PromotionStore store, Cutover cutover)
            throws SQLException {
        try (Connection c = Connections.open(config.target())) {
            Optional<PromotionStore.Promotion> promotion = store.load(c);
            String state = promotion.map(PromotionStore.Promotion::state).orElse("");
            if (state.equals("opening") && cutover.targetOpen()) {
                List<String> warnings = new ArrayList<>();
                warnings.add("the daemon ended during OPEN_TARGET; the target had opened, so the promote was completed"
                        + " when the pipeline was started next; the source stays frozen");
                try {
                    cutover.dropReplication(config.slotName());
                } catch (SQLException e) {
                    warnings.add("could not drop replication slot and publication " + config.slotName() + " on the source ("
                            + e.getSQLState() + "); drop them by hand, or the old host keeps WAL");
                }
                PromoteReport report = new PromoteReport(config.pipeline(), "promoted", PromoteState.PROMOTED, List.of(), null,
                        null, null, null, null, null, null, warnings);
                store.save(c, new PromotionStore.Promotion("promoted", null, report.toJson()));
                LOG.warn("an interrupted promote of pipeline {} had opened the target: it is the master now, and the source"
                        + " stays frozen", config.pipeline());
                return Interrupted.PROMOTED;
            }
            if (!state.equals("frozen") && !state.equals("opening")) {
                return Interrupted.NONE;
            }
            cutover.unfreezeSource(promotion.get().previousReadOnly());
            store.clear(c);
            LOG.warn("an interrupted promote of pipeline {} had left the source frozen with the target closed; the source is"
                    + " writable again", config.pipeline());
            return Interrupted.ROLLED_BACK;
        }
    }
}
