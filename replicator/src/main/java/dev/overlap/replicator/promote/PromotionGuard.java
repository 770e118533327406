package dev.overlap.replicator.promote;

import dev.overlap.replicator.UserError;
import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.jdbc.Connections;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a promote leaves for the next start of the pipeline, read from the target's
 * {@link PromotionStore}: a freeze whose daemon died before OPEN_TARGET is rolled back, and a finished
 * promote means nothing replicates onto the target again.
 */
public final class PromotionGuard {
    private static final Logger LOG = LoggerFactory.getLogger(PromotionGuard.class);

    private PromotionGuard() {
    }

    /**
     * Run at the pipeline's start, before anything is written: rolls back an interrupted freeze, then refuses
     * a promoted pipeline.
     *
     * @param config the pipeline's configuration
     * @param store the pipeline's promotion store
     * @param cutover the engine's cutover operations
     * @throws UserError when the pipeline was promoted: the target is the master now
     * @throws SQLException when a database refuses
     */
    public static void checkStart(OverlapConfig config, PromotionStore store, Cutover cutover) throws SQLException {
        rollBackInterruptedFreeze(config, store, cutover);
        try (Connection c = Connections.open(config.target())) {
            Optional<PromotionStore.Promotion> promotion = store.load(c);
            if (promotion.isPresent() && "promoted".equals(promotion.get().state())) {
                throw new UserError("pipeline " + config.pipeline() + " was promoted: the target is the master now and nothing"
                        + " replicates onto it; to replicate again, DELETE FROM " + PromotionStore.TABLE + " WHERE pipeline = '"
                        + config.pipeline() + "' on the target (and start from empty target tables)");
            }
        }
    }

    /**
     * Rolls back a freeze that a promote left behind when its daemon died before OPEN_TARGET: restores
     * the source's earlier read-only setting and forgets the frozen state.
     *
     * @param config the pipeline's configuration
     * @param store the pipeline's promotion store
     * @param cutover the engine's cutover operations
     * @return whether there was a freeze to roll back
     * @throws SQLException when a database refuses
     */
    public static boolean rollBackInterruptedFreeze(OverlapConfig config, PromotionStore store, Cutover cutover)
            throws SQLException {
        try (Connection c = Connections.open(config.target())) {
            Optional<PromotionStore.Promotion> promotion = store.load(c);
            if (promotion.isEmpty() || !"frozen".equals(promotion.get().state())) {
                return false;
            }
            cutover.unfreezeSource(promotion.get().previousReadOnly());
            store.clear(c);
            LOG.warn("an interrupted promote of pipeline {} had left the source frozen; it is writable again", config.pipeline());
            return true;
        }
    }
}
