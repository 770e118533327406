package dev.overlap.replicator.engine;

import dev.overlap.lag.LagMonitor;
import dev.overlap.lag.PipelineMetrics;
import dev.overlap.replicator.UserError;
import dev.overlap.replicator.apply.SqlDialect;
import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.offset.OffsetStore;
import dev.overlap.replicator.offset.StoredOffset;
import dev.overlap.replicator.offset.TargetSchemaHistory;
import dev.overlap.replicator.source.MySqlServer;
import dev.overlap.replicator.source.MySqlSource;
import dev.overlap.replicator.source.SourceProbe;
import dev.overlap.replicator.source.SourceTable;
import dev.overlap.replicator.source.ZeroDateRepair;
import dev.overlap.replicator.stream.ChangeBatch;
import dev.overlap.replicator.stream.EngineProperties;
import dev.overlap.replicator.stream.TableId;
import dev.overlap.replicator.target.MySqlTarget;
import dev.overlap.replicator.target.TargetTable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * MySQL and MariaDB: the binlog connector of the server's engine (read from its version, not from the
 * URL), Debezium's schema history kept in the target ({@link TargetSchemaHistory}), and the binlog
 * resume rules: a stored offset whose binlog file or GTIDs the source no longer has, or whose schema
 * history is gone, is an error, not a silent re-snapshot.
 */
final class BinlogEngine implements SourceEngine {
    private final OverlapConfig config;
    private final MySqlSource source;
    private final MySqlServer server;
    private final MySqlTarget target;
    private final SqlDialect dialect;
    private ZeroDateRepair zeroDates;

    private BinlogEngine(OverlapConfig config, MySqlSource source, MySqlServer server, MySqlTarget target) {
        this.config = config;
        this.source = source;
        this.server = server;
        this.target = target;
        this.dialect = target.applyDialect();
    }

    /**
     * @param config a MySQL/MariaDB pipeline
     * @return the engine, after reading both servers' versions
     * @throws UserError when a server cannot be reached
     */
    static BinlogEngine connect(OverlapConfig config) {
        MySqlSource source = new MySqlSource(config.source());
        return new BinlogEngine(config, source, source.server(), new MySqlTarget(config.target()));
    }

    @Override
    public String describe() {
        return server + ", binlog client server id " + EngineProperties.serverId(config.pipeline());
    }

    @Override
    public SqlDialect dialect() {
        return dialect;
    }

    @Override
    public List<SourceTable> preflight() {
        List<SourceTable> tables = source.preflight(server, config.tables());
        zeroDates = new ZeroDateRepair(config.source(), source.temporalColumns());
        return tables;
    }

    /** Zero dates, which Debezium turns into NULL or the epoch, are read again from the source ({@link ZeroDateRepair}). */
    @Override
    public ChangeBatch amend(ChangeBatch batch) throws InterruptedException {
        return zeroDates.repair(batch);
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

    @Override
    public Map<TableId, TargetTable> preflightTarget(List<SourceTable> streamed) {
        return target.preflight(streamed);
    }

    @Override
    public void createTargetTables(Connection c) throws SQLException {
        TargetSchemaHistory.createTable(c);
    }

    @Override
    public void startFresh(Connection c) throws SQLException {
        TargetSchemaHistory.delete(c, config.pipeline());
    }

    @Override
    public void checkResumable(Connection c, StoredOffset stored) throws SQLException {
        String missing = source.missingPosition(server, stored.offset());
        if (missing != null || !TargetSchemaHistory.exists(c, config.pipeline())) {
            throw new UserError("source " + config.source().display() + ": the target holds offset " + stored.offset()
                    + " but " + (missing != null ? "the source no longer has " + missing : TargetSchemaHistory.TABLE
                    + " on the target lost the pipeline's schema history") + "; the changes since cannot be recovered."
                    + " To start over: truncate the target tables and DELETE FROM " + OffsetStore.TABLE + " WHERE pipeline = '"
                    + config.pipeline() + "'");
        }
    }

    @Override
    public void registerStores(DataSource pool) {
        TargetSchemaHistory.register(config.pipeline(), pool);
    }

    @Override
    public Properties engineProperties(List<SourceTable> streamed) {
        return server.mariadb() ? EngineProperties.mariadb(config, streamed) : EngineProperties.mysql(config, streamed);
    }

    @Override
    public SourceProbe probe(TableId heartbeat, PipelineMetrics metrics, LagMonitor lag, Supplier<Map<String, ?>> appliedOffset) {
        return new SourceProbe(config.source(), config.pipeline(), MySqlSource.backlog(appliedOffset), heartbeat,
                MySqlTarget.dialect(server), metrics, lag);
    }
}
