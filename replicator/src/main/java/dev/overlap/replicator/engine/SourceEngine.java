package dev.overlap.replicator.engine;

import dev.overlap.lag.LagMonitor;
import dev.overlap.lag.PipelineMetrics;
import dev.overlap.replicator.UserError;
import dev.overlap.replicator.apply.SqlDialect;
import dev.overlap.replicator.config.Engine;
import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.offset.StoredOffset;
import dev.overlap.replicator.source.SourceProbe;
import dev.overlap.replicator.source.SourceTable;
import dev.overlap.replicator.stream.ChangeBatch;
import dev.overlap.replicator.stream.TableId;
import dev.overlap.replicator.target.TargetTable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * What differs between source engines; the {@link dev.overlap.replicator.Pipeline} runs the same steps
 * over every engine: source preflight → heartbeat table → target preflight → resume point → change
 * stream → source probe. {@link PostgresEngine} streams pgoutput through a replication slot,
 * {@link BinlogEngine} the MySQL/MariaDB binlog.
 */
public interface SourceEngine extends AutoCloseable {

    /**
     * Picks the engine of the configured source; for MySQL/MariaDB this connects to read the server version.
     *
     * @param config the pipeline configuration
     * @return the engine
     * @throws UserError when source and target engines do not match or the source cannot be reached
     */
    static SourceEngine of(OverlapConfig config) {
        boolean postgresSource = config.source().engine() == Engine.POSTGRESQL;
        if (postgresSource != (config.target().engine() == Engine.POSTGRESQL)) {
            throw new UserError("target " + config.target().display() + ": the source is " + config.source().engine()
                    + " and the target " + config.target().engine() + "; Overlap replicates PostgreSQL to PostgreSQL"
                    + " and MySQL/MariaDB to MySQL/MariaDB");
        }
        return postgresSource ? new PostgresEngine(config) : BinlogEngine.connect(config);
    }

    /** @return a name for logs, e.g. {@code PostgreSQL} or {@code MariaDB 11.4.5} */
    String describe();

    /** @return the target's dialect (also used for Overlap's own tables there) */
    SqlDialect dialect();

    /**
     * Checks the source (settings, grants, keys) and resolves the table selection.
     *
     * @return the selected tables
     * @throws UserError naming the first problem and its fix
     */
    List<SourceTable> preflight();

    /**
     * Creates the heartbeat table on the source (and publishes it where the engine needs that).
     *
     * @return the heartbeat table
     * @throws UserError when it cannot be created
     */
    TableId prepareHeartbeat();

    /**
     * @param streamed every streamed table, the heartbeat table included
     * @return each table's shape on the target
     * @throws UserError when a table is missing, differs in key or columns, or may not be written
     */
    Map<TableId, TargetTable> preflightTarget(List<SourceTable> streamed);

    /**
     * Creates the engine's own tables on the target, in the caller's transaction.
     *
     * @throws SQLException when the target refuses
     */
    default void createTargetTables(Connection target) throws SQLException {
    }

    /** Runs before the resume point is decided, e.g. waits for a slot a killed daemon still holds. */
    default void beforeResume() {
    }

    /**
     * The pipeline starts without an offset: clears what an earlier start left (a slot, a schema history).
     *
     * @param target a target connection in a transaction the caller commits
     * @throws SQLException when the target refuses
     */
    void startFresh(Connection target) throws SQLException;

    /**
     * @param target a target connection
     * @param stored the offset the pipeline resumes from
     * @throws UserError when the source no longer has that position (a dropped slot, a purged binlog)
     * @throws SQLException when the target cannot be read
     */
    void checkResumable(Connection target, StoredOffset stored) throws SQLException;

    /** @param pool the target pool, for engine stores the connector opens by class name (schema history) */
    default void registerStores(DataSource pool) {
    }

    /**
     * @param streamed every streamed table, the heartbeat table included
     * @return Debezium engine and connector properties
     */
    Properties engineProperties(List<SourceTable> streamed);

    /**
     * Corrects, before the apply, what the connector cannot carry (MySQL/MariaDB zero dates).
     *
     * @param batch a decoded batch
     * @return the batch to apply
     * @throws InterruptedException when interrupted while the source cannot be read
     */
    default ChangeBatch amend(ChangeBatch batch) throws InterruptedException {
        return batch;
    }

    /** Releases what the engine holds open (connections to the source). */
    @Override
    default void close() {
    }

    /**
     * @param heartbeat the heartbeat table
     * @param metrics where probe errors are counted
     * @param lag where the backlog goes
     * @param appliedOffset the offset of the last committed batch, or {@code null} before the first
     * @return the heartbeat writer and backlog reader, not started yet
     */
    SourceProbe probe(TableId heartbeat, PipelineMetrics metrics, LagMonitor lag, Supplier<Map<String, ?>> appliedOffset);
}
