package dev.overlap.replicator.engine.postgres;

import dev.overlap.checksum.ChecksumDialect;
import dev.overlap.checksum.PostgresChecksumDialect;
import dev.overlap.lag.LagMonitor;
import dev.overlap.lag.PipelineMetrics;
import dev.overlap.replicator.UserError;
import dev.overlap.replicator.catalog.SourceTable;
import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.catalog.TargetTable;
import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.copy.SnapshotCopier;
import dev.overlap.replicator.engine.Engine;
import dev.overlap.replicator.heartbeat.SourceProbe;
import dev.overlap.replicator.jdbc.Connections;
import dev.overlap.replicator.offset.OffsetStore;
import dev.overlap.replicator.offset.SourcePosition;
import dev.overlap.replicator.offset.StoredOffset;
import dev.overlap.replicator.promote.Cutover;
import dev.overlap.replicator.sql.SqlDialect;
import dev.overlap.replicator.jdbc.DriverTls;
import dev.overlap.replicator.stream.ConnectorProperties;
import dev.overlap.replicator.stream.SchemaChange;
import dev.overlap.replicator.verify.PipelineWatermark;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
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
public final class PostgresEngine implements Engine {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresEngine.class);
    private static final long SLOT_RELEASE_WAIT_MS = 15_000;

    private final OverlapConfig config;
    private final PostgresSource source;
    private final SqlDialect dialect = new PostgresDialect();
    private Optional<ReplicationSlot> slot = Optional.empty();
    private TableId heartbeat;
    private TableId ddlCapture;
    private List<TableId> selected = List.of();

    /** @param config a PostgreSQL pipeline; nothing is connected until a method needs the source */
    public PostgresEngine(OverlapConfig config) {
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

    /** @return the dialect of the source too: both sides are PostgreSQL */
    @Override
    public SqlDialect sourceDialect() {
        return dialect;
    }

    @Override
    public List<SourceTable> preflightSource() {
        List<SourceTable> tables = source.preflight(config.tables(), config.slotName());
        selected = tables.stream().map(SourceTable::id).toList();
        return tables;
    }

    /** The heartbeat table, and next to it the DDL capture table with the pipeline's event triggers ({@link DdlCapture}). */
    @Override
    public TableId prepareHeartbeat() {
        heartbeat = source.prepareHeartbeat(config.slotName(), dialect);
        ddlCapture = source.prepareDdlCapture(heartbeat.schema(), config.pipeline(), config.slotName(), config.tables(), dialect);
        return heartbeat;
    }

    /** From the source's catalog, in one target transaction ({@link PostgresSchemaCopy}). */
    @Override
    public List<TableId> copySchema(List<SourceTable> selected) {
        return new PostgresSchemaCopy(config.source(), config.target()).copy(selected);
    }

    @Override
    public List<String> ownSourceTables() {
        return List.of(SchemaChange.CAPTURE_TABLE);
    }

    @Override
    public Map<TableId, TargetTable> preflightTarget(List<SourceTable> streamed, boolean resuming) {
        return new PostgresTarget(config.target(), dialect).preflight(streamed, resuming);
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

    /** Drops a slot an earlier start left, and creates the publication when it does not exist yet. */
    @Override
    public void startFresh(Connection target) {
        if (slot.isPresent()) {
            LOG.info("dropping replication slot {}, left without an offset by an earlier start", config.slotName());
            source.dropSlot(config.slotName());
        }
        try {
            source.createPublication(config.slotName(), published(), dialect);
        } catch (SQLException e) {
            throw Connections.explain(config.source(), e);
        }
    }

    /** @return the tables the publication carries: the selected ones, the heartbeat and the DDL capture table */
    private List<TableId> published() {
        List<TableId> tables = new ArrayList<>(selected);
        tables.add(heartbeat);
        tables.add(ddlCapture);
        return tables;
    }

    /** @throws UserError when the slot is gone (read again: the initial copy creates it) */
    @Override
    public void checkResumable(Connection target, StoredOffset stored) {
        slot = source.slot(config.slotName());
        if (slot.isEmpty()) {
            throw new UserError("source " + config.source().display() + ": replication slot " + config.slotName()
                    + " is gone, but the target holds offset " + stored.offset() + "; the changes since cannot be"
                    + " recovered. To start over: truncate the target tables and DELETE FROM " + OffsetStore.TABLE
                    + " WHERE pipeline = '" + config.pipeline() + "'");
        }
        if (slot.get().lost()) {
            throw new UserError("source " + config.source().display() + ": replication slot " + config.slotName()
                    + " was invalidated (wal_status lost, max_slot_wal_keep_size): the source removed WAL the pipeline had"
                    + " not applied, so the changes since cannot be recovered. To start over with a fresh initial copy:"
                    + " SELECT pg_drop_replication_slot('" + config.slotName() + "') on the source, truncate the target"
                    + " tables and DELETE FROM " + OffsetStore.TABLE + " WHERE pipeline = '" + config.pipeline() + "'");
        }
    }

    /** The slot with an exported snapshot, COPY from it straight into COPY on the target ({@link PostgresSnapshotCopier}). */
    @Override
    public SnapshotCopier snapshotCopier() {
        return new PostgresSnapshotCopier(config.source(), config.target(), source, config.slotName(), published(), dialect);
    }

    /**
     * pgoutput through the slot and publication {@code overlap_<pipeline>} (which Overlap creates for the selected
     * tables, publishing partitions through their root), the DDL capture table, never Debezium's own snapshot (the initial copy is
     * Overlap's), intervals as ISO-8601 text, the source's TLS settings ({@link DriverTls}).
     */
    @Override
    public Properties connectorProperties(List<SourceTable> streamed) {
        Properties p = ConnectorProperties.common(config, streamed);
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", config.slotName());
        p.setProperty("publication.name", config.slotName());
        // Overlap creates the publication (startFresh) and its event trigger adds the tables DDL creates
        p.setProperty("publication.autocreate.mode", "disabled");
        p.setProperty("table.include.list", p.getProperty("table.include.list") + ","
                + ConnectorProperties.quote(ddlCapture.schema()) + "\\." + ConnectorProperties.quote(ddlCapture.table()));
        // a partitioned table's changes arrive under its own name, not its partitions' (PostgreSQL 13+)
        p.setProperty("publish.via.partition.root", "true");
        p.setProperty("interval.handling.mode", "string");
        p.setProperty("snapshot.mode", "no_data");
        // the source's TLS settings for the connector's connections, the replication stream's included:
        // Debezium hands every database.* property to pgjdbc without the prefix
        Properties tls = new Properties();
        DriverTls.addTo(config.source(), tls);
        tls.forEach((name, value) -> p.setProperty("database." + name, (String) value));
        return p;
    }

    /** From the slot ({@link PostgresSource#retention}). */
    @Override
    public SourceProbe.RetentionProbe retention(Supplier<SourcePosition> applied) {
        return source.retention(config.slotName());
    }

    @Override
    public Cutover cutover() {
        return new PostgresCutover(config, dialect);
    }

    @Override
    public PipelineWatermark watermark(Supplier<Connection> target) {
        return new PostgresWatermark(config.pipeline(), target);
    }

    @Override
    public ChecksumDialect checksumDialect() {
        return new PostgresChecksumDialect();
    }
}
