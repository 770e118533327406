package dev.overlap.replicator.engine;

import dev.overlap.checksum.ChecksumDialect;
import dev.overlap.replicator.UserError;
import dev.overlap.replicator.catalog.SourceTable;
import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.catalog.TargetTable;
import dev.overlap.replicator.copy.SnapshotCopier;
import dev.overlap.replicator.heartbeat.SourceProbe;
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

/**
 * Everything that differs between the engines Overlap replicates (docs/ARCHITECTURE.md, "The engine
 * interface"): connector properties, source and target preflight, the target's SQL dialect, the resume
 * rules, the cutover, the verifier's watermark and checksum dialect, and the backlog. The pipeline,
 * the Applier, promote and verify run the same steps over every engine. One implementation per
 * package: {@code engine.postgres} (pgoutput through a replication slot) and {@code engine.mysql} (the
 * MySQL or MariaDB binlog); {@link Engines} chooses one from the servers themselves.
 *
 * <p>The pipeline calls, in order: {@link #preflightSource} → {@link #prepareHeartbeat} →
 * {@link #preflightTarget} → {@link #createTargetTables}, {@link #beforeResume}, then
 * {@link #startFresh} (then, with {@code snapshot.mode: initial}, the initial copy through
 * {@link #snapshotCopier} and {@link #checkResumable} of the offset it stored) or {@link #checkResumable} →
 * {@link #registerStores} →
 * {@link #connectorProperties} → {@link #amend} for every batch → {@link #close}.
 */
public interface Engine extends AutoCloseable {

    /** @return a name for logs, e.g. {@code PostgreSQL} or {@code MariaDB 11.4.5} */
    String describe();

    /** @return the target's dialect, for the apply and Overlap's own tables there */
    SqlDialect dialect();

    /** @return the source's dialect, for the heartbeat written there */
    SqlDialect sourceDialect();

    /**
     * Checks the source (settings, grants, keys) and resolves the table selection.
     *
     * @return the selected tables
     * @throws UserError naming the first problem and its fix
     */
    List<SourceTable> preflightSource();

    /**
     * Creates the heartbeat table on the source (and publishes it where the engine needs that).
     *
     * @return the heartbeat table
     * @throws UserError when it cannot be created
     */
    TableId prepareHeartbeat();

    /**
     * Creates on the target the selected tables it lacks, as the source has them: columns, defaults, keys, unique
     * and check constraints, indexes, sequences and identity/AUTO_INCREMENT, the types they use and comments,
     * then the foreign keys among them (docs/ARCHITECTURE.md, "Schema copy"). All or nothing where the engine's DDL
     * is transactional.
     *
     * @param selected the selected source tables
     * @return the tables created
     * @throws UserError when the source cannot be read or the target refuses, naming the table and the fix
     */
    List<TableId> copySchema(List<SourceTable> selected);

    /**
     * @param streamed every streamed table, the heartbeat table included
     * @param resuming whether the pipeline resumes from a stored offset: a table missing or unlike the source's is then
     *        left out of the answer and to the DDL the stream brings
     * @return each table's shape on the target
     * @throws UserError when a table is missing, differs in key or columns, or may not be written
     */
    Map<TableId, TargetTable> preflightTarget(List<SourceTable> streamed, boolean resuming);

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

    /**
     * @return the engine's part of the initial copy: a consistent snapshot at a stream position, and the
     *         copy of one chunk; after {@link #prepareHeartbeat}
     */
    SnapshotCopier snapshotCopier();

    /** @param pool the target pool, for engine stores the connector opens by class name (schema history) */
    default void registerStores(DataSource pool) {
    }

    /**
     * @param streamed every streamed table, the heartbeat table included
     * @return Debezium engine and connector properties
     */
    Properties connectorProperties(List<SourceTable> streamed);

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

    /**
     * @param applied the position of the last committed batch, or {@code null} before the first
     * @return how the heartbeat probe reads what the source keeps for the pipeline: the backlog, the WAL or binlog
     *         retained, the headroom to the source's retention limit, and whether the position is lost
     */
    SourceProbe.RetentionProbe retention(Supplier<SourcePosition> applied);

    /** @return the engine's operations of the cutover: freeze, fence, sequences, open */
    Cutover cutover();

    /**
     * @param target opens a connection to the target for each wait
     * @return how the verifier learns the source's position and waits until the target applied past it
     */
    PipelineWatermark watermark(Supplier<Connection> target);

    /**
     * @return the verifier's SQL for both sides
     * @throws UserError when the two sides cannot be compared (MySQL against MariaDB hash JSON differently)
     */
    ChecksumDialect checksumDialect();

    /**
     * @return the engine's own tables on the target besides the pipeline's stores, keyed by the pipeline's name (MySQL's
     *         and MariaDB's schema history), for {@code overlap finish}
     */
    default List<String> ownTargetTables() {
        return List.of();
    }

    /**
     * @return the engine's own tables on the source besides the heartbeat table, shared by the pipelines there
     *         (PostgreSQL's DDL capture table), for {@code overlap finish}
     */
    default List<String> ownSourceTables() {
        return List.of();
    }

    /** Releases what the engine holds open (connections to the source). */
    @Override
    default void close() {
    }
}
