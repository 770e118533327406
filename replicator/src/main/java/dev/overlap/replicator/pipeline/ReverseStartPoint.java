package dev.overlap.replicator.pipeline;

import dev.overlap.replicator.UserError;
import dev.overlap.replicator.catalog.SourceTable;
import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.copy.ConsistentSnapshot;
import dev.overlap.replicator.copy.CopyProgressStore;
import dev.overlap.replicator.engine.Engine;
import dev.overlap.replicator.engine.Engines;
import dev.overlap.replicator.jdbc.Connections;
import dev.overlap.replicator.offset.FailureStore;
import dev.overlap.replicator.offset.OffsetStore;
import dev.overlap.replicator.offset.SourcePosition;
import dev.overlap.replicator.promote.PromotionStore;
import dev.overlap.replicator.promote.ReverseStart;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ReverseStart} of a pipeline: the other direction ({@link OverlapConfig#reversed}) connected through its own
 * engine. Its start point is what the engine's initial copy would begin streaming from, taken without copying: the
 * snapshot copier's consistent snapshot on the cutover's target (on PostgreSQL this creates the publication and the
 * replication slot; on MySQL/MariaDB it reads the binlog position), closed at once. The position is stored as the other
 * direction's offset on the cutover's source, marked as taken after a copy, so that the MySQL/MariaDB connector first
 * rebuilds its schema history there, as after an initial copy.
 */
final class ReverseStartPoint implements ReverseStart {
    private static final Logger LOG = LoggerFactory.getLogger(ReverseStartPoint.class);

    private final OverlapConfig other;
    /** The other direction's engine, from {@link #ready} to {@link #prepare} or {@link #discard}. */
    private Engine engine;
    private List<SourceTable> tables;

    /** @param config the configuration of the direction being promoted */
    ReverseStartPoint(OverlapConfig config) {
        this.other = config.reversed();
    }

    @Override
    public List<String> precheck() {
        try (Engine connected = Engines.connect(other)) {
            connected.preflightSource();
            return List.of();
        } catch (UserError e) {
            return List.of("the replication back (promote.reverse): " + e.getMessage()
                    + "; or set promote.reverse: false to promote without the way back");
        }
    }

    @Override
    public synchronized void ready() throws SQLException {
        closeEngine();
        engine = Engines.connect(other);
        engine.cutover().dropReplication(other.slotName());
        tables = engine.preflightSource();
        engine.prepareHeartbeat();
        try (Connection c = Connections.open(other.target())) {
            c.setAutoCommit(false);
            engine.createTargetTables(c);
            engine.startFresh(c);
            new OffsetStore(other.pipeline(), engine.dialect()).createTable(c);
            FailureStore failures = new FailureStore(other.pipeline(), engine.dialect());
            failures.createTable(c);
            failures.clear(c);
            CopyProgressStore progress = new CopyProgressStore(other.pipeline(), engine.dialect());
            progress.createTable(c);
            progress.clear(c);
            // the other direction's promotion record stays: while this promote may still abort it is the one that holds
            // (a rollback's other direction is the promoted forward one); PROMOTED clears it (forgetOtherPromotion)
            c.commit();
        }
    }

    @Override
    public synchronized void prepare() throws SQLException {
        SourcePosition position;
        try (ConsistentSnapshot snapshot = engine.snapshotCopier().open(tables, 1)) {
            position = snapshot.position();
        }
        try (Connection c = Connections.open(other.target())) {
            new OffsetStore(other.pipeline(), engine.dialect()).save(c, SourcePosition.partition(other.pipeline()),
                    position.afterCopyOffset());
        }
        closeEngine();
        LOG.info("promote: the replication back ({}) starts at {} of {}", other.pipeline(), position.describe(),
                other.source().display());
    }

    private void closeEngine() {
        if (engine != null) {
            engine.close();
            engine = null;
        }
    }

    @Override
    public synchronized void discard() {
        closeEngine();
        try (Engine connected = Engines.connect(other)) {
            connected.cutover().dropReplication(other.slotName());
        } catch (SQLException | UserError e) {
            LOG.warn("could not drop the replication slot {} of the replication back on {}; drop it by hand, or that host keeps WAL"
                    + " for it", other.slotName(), other.source().display());
        }
    }

    @Override
    public void forgetOtherPromotion() throws SQLException {
        try (Engine connected = Engines.connect(other); Connection c = Connections.open(other.target())) {
            PromotionStore promotions = new PromotionStore(other.pipeline(), connected.dialect());
            promotions.createTable(c);
            promotions.clear(c);
        }
    }
}
