package dev.overlap.replicator.pipeline;

import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.engine.Engine;
import dev.overlap.replicator.engine.Engines;
import dev.overlap.replicator.jdbc.Connections;
import dev.overlap.replicator.offset.OffsetStore;
import dev.overlap.replicator.promote.PromotionGuard;
import dev.overlap.replicator.promote.PromotionStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which direction a daemon start runs (docs/ARCHITECTURE.md, "Reverse replication"): forward, old host to new, until a
 * promote with {@code promote.reverse} opens the new host; then reverse, new host back to old, until a rollback (the
 * reverse direction's promote) opens the old host again. Each promote records itself on its target and stores the
 * other direction's start before it opens, so the later promotion wins:
 * <ul>
 *   <li>the forward direction promoted and a reverse offset stored on the old host: reverse, unless the reverse
 *       direction was promoted later (a rollback whose daemon died before it cleared the forward record, which is
 *       cleared now), then forward; the records' times are the recording daemon's clock;</li>
 *   <li>otherwise forward (a promoted forward direction without a reverse offset is then refused by
 *       {@link PromotionGuard#checkStart}, as before).</li>
 * </ul>
 * A promote or rollback that a daemon left unfinished ({@code frozen} or {@code opening}) counts as not promoted here: the
 * pipeline of the direction picked finishes it under its daemon lock ({@link PromotionGuard#checkStart}), never this
 * decision, which holds no lock; when that finds the promote completed, it exits 2 and the next start picks the other
 * direction.
 */
public final class Direction {
    private static final Logger LOG = LoggerFactory.getLogger(Direction.class);

    private Direction() {
    }

    /**
     * @param forward the configuration as written (the forward direction)
     * @return the configuration of the direction to run: {@code forward} or {@code forward.reversed()}
     * @throws dev.overlap.replicator.UserError when a host cannot be reached
     */
    public static OverlapConfig decide(OverlapConfig forward) {
        if (!forward.promote().reverse()) {
            return forward;
        }
        OverlapConfig reverse = forward.reversed();
        try (Engine engine = Engines.connect(forward)) {
            PromotionStore forwardStore = new PromotionStore(forward.pipeline(), engine.dialect());
            Optional<LocalDateTime> promoted = promotedAt(forward, forwardStore);
            if (promoted.isEmpty() || !reverseStored(reverse, engine)) {
                return forward;
            }
            PromotionStore reverseStore = new PromotionStore(reverse.pipeline(), engine.dialect());
            Optional<LocalDateTime> rolledBack = promotedAt(reverse, reverseStore);
            if (rolledBack.isPresent() && !rolledBack.get().isAfter(promoted.get())) {
                // an earlier rollback's record that the later promote could not clear: it would refuse the reverse start
                try (Connection c = Connections.open(reverse.target())) {
                    reverseStore.clear(c);
                }
            } else if (rolledBack.isPresent()) {
                try (Connection c = Connections.open(forward.target())) {
                    forwardStore.clear(c);
                }
                LOG.info("pipeline {} was rolled back: the old host is the master again; replicating forward", forward.pipeline());
                return forward;
            }
            LOG.info("pipeline {} was promoted: replicating the new host's writes back to the old host ({})", forward.pipeline(),
                    reverse.pipeline());
            return reverse;
        } catch (SQLException e) {
            throw Connections.explain(forward.target(), e);
        }
    }

    private static Optional<LocalDateTime> promotedAt(OverlapConfig config, PromotionStore store) throws SQLException {
        try (Connection c = Connections.open(config.target())) {
            return store.promotedAt(c);
        }
    }

    /** @return whether the old host holds the reverse direction's offset, which only a promote with reverse stores */
    private static boolean reverseStored(OverlapConfig reverse, Engine engine) throws SQLException {
        try (Connection c = Connections.open(reverse.target())) {
            return new OffsetStore(reverse.pipeline(), engine.dialect()).load(c).isPresent();
        } catch (SQLException e) {
            if (engine.dialect().undefinedTable(e)) {
                return false; // the old host has no offsets table: nothing was prepared there, and reading creates none
            }
            throw e;
        }
    }
}
