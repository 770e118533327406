package dev.overlap.replicator.engine;

import dev.overlap.lag.LagMonitor;
import dev.overlap.lag.PipelineMetrics;
import dev.overlap.replicator.UserError;
import dev.overlap.replicator.apply.PostgresDialect;
import dev.overlap.replicator.apply.SqlDialect;
import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.offset.OffsetStore;
import dev.overlap.replicator.offset.StoredOffset;
import dev.overlap.replicator.source.PostgresSource;
import dev.overlap.replicator.source.ReplicationSlot;
import dev.overlap.replicator.source.SourceProbe;
import dev.overlap.replicator.source.SourceTable;
import dev.overlap.replicator.stream.EngineProperties;
import dev.overlap.replicator.stream.TableId;
import dev.overlap.replicator.target.PostgresTarget;
import dev.overlap.replicator.target.TargetTable;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL: logical decoding with pgoutput through the replication slot and publication
 * {@code overlap_<pipeline>}. A slot left by a start that stored no offset is dropped (it has nothing
 * to resume); a stored offset whose slot is gone is an error, not a silent re-snapshot.
 */
final class PostgresEngine implements SourceEngine {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresEngine.class);
    private static final long SLOT_RELEASE_WAIT_MS = 15_000;

    private final OverlapConfig config;
    private final PostgresSource source;
    private final SqlDialect dialect = new PostgresDialect();
    private Optional<ReplicationSlot> slot = Optional.empty();

    PostgresEngine(OverlapConfig config) {
        this.config = config;
        this.source = new PostgresSource(config.source());
    }

    @Override
    public String describe() {
        return "PostgreSQL";
    }

    @Override
    public SqlDialect dialect() {
        return dialect;
    }

    @Override
    public List<SourceTable> preflight() {
        return source.preflight(config.tables(), config.slotName());
    }

    @Override
    public TableId prepareHeartbeat() {
        return source.prepareHeartbeat(config.slotName(), dialect);
    }

    @Override
    public Map<TableId, TargetTable> preflightTarget(List<SourceTable> streamed) {
        return new PostgresTarget(config.target(), dialect).preflight(streamed);
    }

    /**
     * A daemon killed a moment ago may still hold the slot until the source notices the dropped
     * connection: waits up to {@value #SLOT_RELEASE_WAIT_MS} ms for it to become inactive, then refuses.
     */
    @Override
    public void beforeResume() {
        long deadline = System.currentTimeMillis() + SLOT_RELEASE_WAIT_MS;
        slot = source.slot(config.slotName());
        while (slot.isPresent() && slot.get().active() && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            slot = source.slot(config.slotName());
        }
        if (slot.isPresent() && slot.get().active()) {
            throw new UserError("source " + config.source().display() + ": replication slot " + config.slotName()
                    + " is in use by backend pid " + slot.get().activePid() + "; is another overlap daemon running pipeline "
                    + config.pipeline() + "?");
        }
    }

    @Override
    public void startFresh(Connection target) {
        if (slot.isPresent()) {
            LOG.info("dropping replication slot {}, left without an offset by an earlier start", config.slotName());
            source.dropSlot(config.slotName());
        }
    }

    @Override
    public void checkResumable(Connection target, StoredOffset stored) {
        if (slot.isEmpty()) {
            throw new UserError("source " + config.source().display() + ": replication slot " + config.slotName()
                    + " is gone, but the target holds offset " + stored.offset() + "; the changes since cannot be"
                    + " recovered. To start over: truncate the target tables and DELETE FROM " + OffsetStore.TABLE
                    + " WHERE pipeline = '" + config.pipeline() + "'");
        }
    }

    @Override
    public Properties engineProperties(List<SourceTable> streamed) {
        return EngineProperties.postgres(config, streamed);
    }

    @Override
    public SourceProbe probe(TableId heartbeat, PipelineMetrics metrics, LagMonitor lag, Supplier<Map<String, ?>> appliedOffset) {
        return new SourceProbe(config.source(), config.pipeline(), config.slotName(), heartbeat, dialect, metrics, lag);
    }
}
