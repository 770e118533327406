package dev.overlap.replicator.copy;

import dev.overlap.replicator.sql.SqlDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The initial copy's progress on the target, table {@code overlap_copy_progress}: one row per finished
 * chunk, written in the chunk's own transaction, so that a row is there exactly when the chunk's rows
 * are. Rows without an offset of the pipeline mean a copy was interrupted; the offset written at the
 * copy's end removes them in the same transaction.
 *
 * <p>Columns: {@code pipeline}, {@code table_name} ({@code schema.table}), {@code chunk} (from 0),
 * {@code chunks} (of the table), {@code copied_rows}, {@code copied_at} (UTC).
 */
public final class CopyProgressStore {
    /** Name of the progress table on the target. */
    public static final String TABLE = "overlap_copy_progress";

    private final String pipeline;
    private final SqlDialect dialect;

    /**
     * @param pipeline the pipeline whose rows this store reads and writes
     * @param dialect the target's dialect
     */
    public CopyProgressStore(String pipeline, SqlDialect dialect) {
        this.pipeline = pipeline;
        this.dialect = dialect;
    }

    /**
     * Creates the table when it does not exist, in the caller's transaction.
     *
     * @throws SQLException when the target refuses (missing CREATE privilege)
     */
    public void createTable(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + dialect.quote(TABLE) + " (pipeline VARCHAR(64) NOT NULL,"
                    + " table_name VARCHAR(200) NOT NULL, chunk INT NOT NULL, chunks INT NOT NULL, copied_rows BIGINT NOT NULL,"
                    + " copied_at TIMESTAMP NOT NULL, PRIMARY KEY (pipeline, table_name, chunk))");
        }
    }

    /**
     * Records a finished chunk, in the caller's transaction (the one that holds the chunk's rows).
     *
     * @param chunk the chunk
     * @param rows rows it copied
     * @throws SQLException when the write fails; the caller rolls back
     */
    public void record(Connection connection, CopyChunk chunk, long rows) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO " + dialect.quote(TABLE)
                + " (pipeline, table_name, chunk, chunks, copied_rows, copied_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, pipeline);
            ps.setString(2, chunk.table().toString());
            ps.setInt(3, chunk.index());
            ps.setInt(4, chunk.chunks());
            ps.setLong(5, rows);
            ps.setObject(6, LocalDateTime.now(ZoneOffset.UTC));
            ps.executeUpdate();
        }
    }

    /**
     * @return the chunks an interrupted copy of this pipeline finished; 0 when there was none
     * @throws SQLException when the table cannot be read
     */
    public int finishedChunks(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT COUNT(*) FROM " + dialect.quote(TABLE) + " WHERE pipeline = ?")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /**
     * Forgets the pipeline's progress, in the caller's transaction.
     *
     * @throws SQLException when the delete fails
     */
    public void clear(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM " + dialect.quote(TABLE) + " WHERE pipeline = ?")) {
            ps.setString(1, pipeline);
            ps.executeUpdate();
        }
    }
}
