package dev.overlap.replicator.offset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.overlap.replicator.sql.SqlDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps the applied source position in the target, in table {@code overlap_offsets}, one row per
 * pipeline. {@link #save} runs inside the Applier's transaction, so the rows of a batch and the
 * position after it commit together or not at all: a restart resumes exactly after the last
 * committed batch.
 *
 * <p>Columns: {@code pipeline} (key), {@code source_partition} and {@code source_offset} (Debezium's
 * maps as JSON), {@code updated_at}.
 */
public final class OffsetStore {
    /** Name of the offsets table on the target. */
    public static final String TABLE = "overlap_offsets";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    /** Appended to the pipeline's name for the row of a DDL statement in flight ({@link #markSchemaChange}). */
    private static final String SCHEMA_CHANGE_SUFFIX = "/ddl";
    private static final List<String> COLUMNS = List.of("pipeline", "source_partition", "source_offset", "updated_at");

    private final String pipeline;
    private final SqlDialect dialect;
    private final String saveSql;

    /**
     * @param pipeline the pipeline whose row this store reads and writes
     * @param dialect the target's dialect
     */
    public OffsetStore(String pipeline, SqlDialect dialect) {
        this.pipeline = pipeline;
        this.dialect = dialect;
        this.saveSql = dialect.upsertRow(dialect.quote(TABLE), COLUMNS);
    }

    /**
     * Creates the table when it does not exist.
     *
     * @throws SQLException when the target refuses (missing CREATE privilege)
     */
    public void createTable(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + dialect.quote(TABLE) + " (pipeline VARCHAR(64) PRIMARY KEY,"
                    + " source_partition TEXT NOT NULL, source_offset TEXT NOT NULL, updated_at TIMESTAMP NOT NULL)");
        }
    }

    /**
     * @return the stored position of this pipeline, or empty when it has none (a new pipeline)
     * @throws SQLException when the table cannot be read
     */
    public Optional<StoredOffset> load(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT source_partition, source_offset FROM "
                + dialect.quote(TABLE) + " WHERE pipeline = ?")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new StoredOffset(JSON.readValue(rs.getString(1), MAP), JSON.readValue(rs.getString(2), MAP)));
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(TABLE + " holds an unreadable offset for pipeline " + pipeline, e);
        }
    }

    /**
     * Writes the position, in the caller's transaction.
     *
     * @param partition Debezium source partition
     * @param offset Debezium source offset
     * @throws SQLException when the write fails; the caller rolls back
     */
    public void save(Connection connection, Map<String, ?> partition, Map<String, ?> offset) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(saveSql)) {
            ps.setString(1, pipeline);
            ps.setString(2, JSON.writeValueAsString(partition));
            ps.setString(3, JSON.writeValueAsString(offset));
            ps.setObject(4, java.time.LocalDateTime.now(java.time.ZoneOffset.UTC));
            ps.executeUpdate();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the source offset " + offset, e);
        }
    }

    /**
     * Whether the target holds exactly this offset: after a COMMIT whose answer was lost, whether that
     * batch committed. Compares the JSON {@link #save} writes.
     *
     * @param offset the Debezium source offset of the batch in doubt
     * @return whether the pipeline's stored offset is that one
     * @throws SQLException when the table cannot be read
     */
    public boolean holds(Connection connection, Map<String, ?> offset) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT source_offset FROM " + dialect.quote(TABLE)
                + " WHERE pipeline = ?")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getString(1).equals(JSON.writeValueAsString(offset));
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the source offset", e);
        }
    }

    /**
     * Marks, in the caller's transaction, that the DDL statement whose position this is is about to run on the
     * target: MySQL/MariaDB commit DDL by themselves, so the statement and the position after it cannot commit
     * together. Kept in this table's row {@code <pipeline>/ddl} until {@link #clearSchemaChange}.
     *
     * @param partition Debezium source partition
     * @param offset the Debezium source offset after the statement
     * @throws SQLException when the write fails
     */
    public void markSchemaChange(Connection connection, Map<String, ?> partition, Map<String, ?> offset) throws SQLException {
        forKey(pipeline + SCHEMA_CHANGE_SUFFIX).save(connection, partition, offset);
    }

    /**
     * @param offset the Debezium source offset after a DDL statement
     * @return whether an earlier start marked that statement ({@link #markSchemaChange}) and did not store its position:
     *         it may have run on the target already
     * @throws SQLException when the table cannot be read
     */
    public boolean schemaChangeMarked(Connection connection, Map<String, ?> offset) throws SQLException {
        return forKey(pipeline + SCHEMA_CHANGE_SUFFIX).holds(connection, offset);
    }

    /**
     * Removes the mark of {@link #markSchemaChange}, in the caller's transaction (the one that stores the position).
     *
     * @throws SQLException when the delete fails
     */
    public void clearSchemaChange(Connection connection) throws SQLException {
        forKey(pipeline + SCHEMA_CHANGE_SUFFIX).delete(connection);
    }

    private OffsetStore forKey(String key) {
        return new OffsetStore(key, dialect);
    }

    /**
     * Forgets the position, so that the next start is a new pipeline.
     *
     * @throws SQLException when the delete fails
     */
    public void delete(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM " + dialect.quote(TABLE) + " WHERE pipeline = ?")) {
            ps.setString(1, pipeline);
            ps.executeUpdate();
        }
    }
}
