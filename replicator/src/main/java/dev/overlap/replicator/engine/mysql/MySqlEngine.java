package dev.overlap.replicator.engine.mysql;

import dev.overlap.checksum.ChecksumDialect;
import dev.overlap.checksum.MySqlChecksumDialect;
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
import dev.overlap.replicator.offset.OffsetStore;
import dev.overlap.replicator.offset.SourcePosition;
import dev.overlap.replicator.offset.StoredOffset;
import dev.overlap.replicator.promote.Cutover;
import dev.overlap.replicator.sql.SqlDialect;
import dev.overlap.replicator.stream.ChangeBatch;
import dev.overlap.replicator.verify.PipelineWatermark;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MySQL and MariaDB: the binlog connector of the server's engine (read from its version, not from the
 * URL), Debezium's schema history kept in the target ({@link TargetSchemaHistory}), and the binlog
 * resume rules: a stored offset whose binlog file or GTIDs the source no longer has, or whose schema
 * history is gone, is an error, not a silent re-snapshot.
 */
public final class MySqlEngine implements Engine {
    private static final Logger LOG = LoggerFactory.getLogger(MySqlEngine.class);
    private final OverlapConfig config;
    private final MySqlSource source;
    private final MySqlServer server;
    private final MySqlServer targetServer;
    private final MySqlTarget target;
    private final SqlDialect dialect;
    private ZeroDateRepair zeroDates;
    /** Whether the connector must rebuild the schema history first: the first start after the initial copy. */
    private boolean recoverSchemaHistory;

    private MySqlEngine(OverlapConfig config, MySqlSource source, MySqlServer server, MySqlTarget target) {
        this.config = config;
        this.source = source;
        this.server = server;
        this.target = target;
        this.targetServer = target.server();
        this.dialect = target.applyDialect(targetServer);
    }

    /**
     * @param config a MySQL/MariaDB pipeline
     * @return the engine, after reading both servers' versions
     * @throws UserError when a server cannot be reached
     */
    public static MySqlEngine connect(OverlapConfig config) {
        MySqlSource source = new MySqlSource(config.source());
        return new MySqlEngine(config, source, source.server(), new MySqlTarget(config.target()));
    }

    @Override
    public String describe() {
        return server + ", binlog client server id " + BinlogConnector.serverId(config.pipeline());
    }

    @Override
    public SqlDialect dialect() {
        return dialect;
    }

    /** @return the dialect of the source, for the heartbeat: the row alias where the source's version has it */
    @Override
    public SqlDialect sourceDialect() {
        return MySqlTarget.dialect(server);
    }

    @Override
    public List<SourceTable> preflightSource() {
        List<SourceTable> tables = source.preflight(server, config.tables());
        zeroDates = new ZeroDateRepair(config.source(), source.temporalColumns(config.tables()));
        return tables;
    }

    /**
     * Zero dates, which Debezium turns into NULL or the epoch, are read again from the source ({@link ZeroDateRepair});
     * an index statement gets the table Debezium does not name ({@link IndexStatement}). A batch of DDL statements also
     * has the date columns read again, so that a column added while streaming is repaired too.
     */
    @Override
    public ChangeBatch amend(ChangeBatch batch) throws InterruptedException {
        if (!batch.schemaChange()) {
            return zeroDates.repair(batch);
        }
        try {
            ZeroDateRepair reloaded = new ZeroDateRepair(config.source(), source.temporalColumns(config.tables()));
            zeroDates.close();
            zeroDates = reloaded;
        } catch (UserError e) {
            LOG.warn("cannot read the date columns again from the source ({}); zero dates in columns added since the start"
                    + " are repaired after the next start", e.getMessage());
        }
        return IndexStatement.withTable(batch);
    }

    @Override
    public void close() {
        if (zeroDates != null) {
            zeroDates.close();
        }
    }

    @Override
    public TableId prepareHeartbeat() {
        return source.prepareHeartbeat(MySqlTarget.dialect(server));
    }

    /** With the server's own {@code SHOW CREATE TABLE} ({@link MySqlSchemaCopy}). */
    @Override
    public List<TableId> copySchema(List<SourceTable> selected) {
        return new MySqlSchemaCopy(config.source(), config.target()).copy(selected);
    }

    @Override
    public List<String> ownTargetTables() {
        return List.of(TargetSchemaHistory.TABLE);
    }

    @Override
    public Map<TableId, TargetTable> preflightTarget(List<SourceTable> streamed, boolean resuming) {
        return target.preflight(streamed, resuming);
    }

    @Override
    public void createTargetTables(Connection c) throws SQLException {
        TargetSchemaHistory.createTable(c);
    }

    @Override
    public void startFresh(Connection c) throws SQLException {
        TargetSchemaHistory.delete(c, config.pipeline());
    }

    /**
     * An offset the initial copy stored has no schema history yet: the connector then rebuilds it from the
     * source's tables ({@code snapshot.mode=recovery}) before it streams.
     */
    @Override
    public void checkResumable(Connection c, StoredOffset stored) throws SQLException {
        String missing = source.missingPosition(server, stored.position());
        boolean history = TargetSchemaHistory.exists(c, config.pipeline());
        recoverSchemaHistory = !history && SourcePosition.afterCopy(stored.offset());
        if (missing != null || !history && !recoverSchemaHistory) {
            throw new UserError("source " + config.source().display() + ": the target holds offset " + stored.offset()
                    + " but " + (missing != null ? "the source no longer has " + missing : TargetSchemaHistory.TABLE
                    + " on the target lost the pipeline's schema history") + "; the changes since cannot be recovered."
                    + " To start over: truncate the target tables and DELETE FROM " + OffsetStore.TABLE + " WHERE pipeline = '"
                    + config.pipeline() + "'");
        }
    }

    /** A short global read lock for N consistent snapshots, SQL literals into multi-row INSERTs ({@link MySqlSnapshotCopier}). */
    @Override
    public SnapshotCopier snapshotCopier() {
        return new MySqlSnapshotCopier(config.source(), server, dialect);
    }

    @Override
    public void registerStores(DataSource pool) {
        TargetSchemaHistory.register(config.pipeline(), pool);
    }

    @Override
    public Properties connectorProperties(List<SourceTable> streamed) {
        return BinlogConnector.properties(config, streamed, server.mariadb(), recoverSchemaHistory);
    }

    @Override
    public SourceProbe.RetentionProbe retention(Supplier<SourcePosition> applied) {
        return MySqlSource.retention(applied);
    }

    @Override
    public Cutover cutover() {
        return new MySqlCutover(config, dialect);
    }

    @Override
    public PipelineWatermark watermark(Supplier<Connection> target) {
        return new BinlogWatermark(config.pipeline(), target);
    }

    /** @throws UserError when one side is MySQL and the other MariaDB, which hash JSON differently */
    @Override
    public ChecksumDialect checksumDialect() {
        if (server.mariadb() != targetServer.mariadb()) {
            throw new UserError("verify compares databases of the same engine; the source " + config.source().display()
                    + " is " + server + " and the target " + config.target().display() + " is " + targetServer);
        }
        return new MySqlChecksumDialect(server.mariadb());
    }
}
