package dev.overlap.replicator.engine.mysql;

import io.debezium.config.Configuration;
import io.debezium.document.DocumentReader;
import io.debezium.document.DocumentWriter;
import io.debezium.relational.history.AbstractSchemaHistory;
import io.debezium.relational.history.HistoryRecord;
import io.debezium.relational.history.HistoryRecordComparator;
import io.debezium.relational.history.SchemaHistoryException;
import io.debezium.relational.history.SchemaHistoryListener;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Debezium's schema history of a MySQL/MariaDB pipeline (the DDL the binlog connectors replay to know
 * each table's columns at a binlog position), kept in the target in table {@code overlap_schema_history}
 * rather than in a file or Kafka topic: it lives and dies with the offsets in {@code overlap_offsets}
 * on the same database, so a restart on another machine finds both.
 *
 * <p>Columns: {@code pipeline}, {@code seq} (order of recording), {@code record} (Debezium's history
 * record document as JSON). Each record is committed on its own when Debezium records it; Debezium
 * replays only the records up to the offset it resumes from, so a record written ahead of the
 * offsets is harmless. The engine instantiates this class by name ({@code schema.history.internal});
 * the pipeline hands it the target's connection pool through {@link #register}, keyed by the engine
 * property {@value #PIPELINE_PROPERTY}.
 */
public final class TargetSchemaHistory extends AbstractSchemaHistory {
    /** Name of the history table on the target. */
    public static final String TABLE = "overlap_schema_history";
    /** Engine property naming the pipeline whose registered target this history writes to. */
    public static final String PIPELINE_PROPERTY = "schema.history.internal.overlap.pipeline";
    private static final Map<String, DataSource> REGISTERED = new ConcurrentHashMap<>();

    private final DocumentWriter writer = DocumentWriter.defaultWriter();
    private final DocumentReader reader = DocumentReader.defaultReader();
    private String pipeline;
    private DataSource target;
    private long nextSeq;

    /**
     * Hands the target's connections to the history of the engine about to start.
     *
     * @param pipeline the pipeline, also given to the engine as {@value #PIPELINE_PROPERTY}
     * @param target pooled connections to the target, auto-commit off
     */
    public static void register(String pipeline, DataSource target) {
        REGISTERED.put(pipeline, target);
    }

    /**
     * Creates the history table when it does not exist.
     *
     * @param connection a connection to the target (MySQL or MariaDB)
     * @throws SQLException when the target refuses (missing CREATE privilege)
     */
    public static void createTable(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (pipeline VARCHAR(64) NOT NULL, seq BIGINT NOT NULL,"
                    + " record MEDIUMTEXT NOT NULL, PRIMARY KEY (pipeline, seq))");
        }
    }

    /**
     * Forgets a pipeline's history, for a new pipeline or a restarted initial snapshot (which records
     * the schema anew).
     *
     * @param connection a connection to the target, in the caller's transaction
     * @param pipeline the pipeline
     * @throws SQLException when the delete fails
     */
    public static void delete(Connection connection, String pipeline) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM " + TABLE + " WHERE pipeline = ?")) {
            ps.setString(1, pipeline);
            ps.executeUpdate();
        }
    }

    /**
     * @param connection a connection to the target
     * @param pipeline the pipeline
     * @return whether the pipeline has any history recorded
     * @throws SQLException when the table cannot be read
     */
    public static boolean exists(Connection connection, String pipeline) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT 1 FROM " + TABLE + " WHERE pipeline = ? LIMIT 1")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Override
    public void configure(Configuration config, HistoryRecordComparator comparator, SchemaHistoryListener listener,
                          boolean useCatalogBeforeSchema) {
        super.configure(config, comparator, listener, useCatalogBeforeSchema);
        pipeline = config.getString(PIPELINE_PROPERTY);
        if (pipeline == null) {
            pipeline = config.getString(PIPELINE_PROPERTY.substring("schema.history.internal.".length()));
        }
        target = REGISTERED.get(pipeline);
        if (target == null) {
            throw new IllegalStateException("no target registered for the schema history of pipeline " + pipeline);
        }
    }

    @Override
    public synchronized void start() {
        super.start();
        try (Connection c = target.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(seq), 0) FROM " + TABLE + " WHERE pipeline = ?")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                nextSeq = rs.getLong(1) + 1;
            }
            c.commit();
        } catch (SQLException e) {
            throw new SchemaHistoryException("cannot read " + TABLE + " on the target: " + e.getMessage(), e);
        }
    }

    @Override
    protected synchronized void storeRecord(HistoryRecord record) throws SchemaHistoryException {
        try (Connection c = target.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (pipeline, seq, record) VALUES (?, ?, ?)")) {
            ps.setString(1, pipeline);
            ps.setLong(2, nextSeq);
            ps.setString(3, writer.write(record.document()));
            ps.executeUpdate();
            c.commit();
            nextSeq++;
        } catch (SQLException | IOException e) {
            throw new SchemaHistoryException("cannot write " + TABLE + " on the target: " + e.getMessage(), e);
        }
    }

    @Override
    protected synchronized void recoverRecords(Consumer<HistoryRecord> records) {
        try (Connection c = target.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT record FROM " + TABLE + " WHERE pipeline = ? ORDER BY seq")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    records.accept(new HistoryRecord(reader.read(rs.getString(1))));
                }
            }
            c.commit();
        } catch (SQLException | IOException e) {
            throw new SchemaHistoryException("cannot read " + TABLE + " on the target: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean exists() {
        try (Connection c = target.getConnection()) {
            boolean exists = exists(c, pipeline);
            c.commit();
            return exists;
        } catch (SQLException e) {
            throw new SchemaHistoryException("cannot read " + TABLE + " on the target: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean storageExists() {
        return true;
    }

    @Override
    public void initializeStorage() {
        // the pipeline created the table before the engine started
    }

    @Override
    public String toString() {
        return TABLE + " on the target";
    }
}
