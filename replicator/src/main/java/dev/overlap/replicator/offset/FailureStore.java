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
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

/**
 * Remembers on the target that the pipeline stopped on a failure, so that a restart (systemd's
 * {@code Restart=on-failure}) that would meet the same batch again waits a growing pause first instead of
 * hammering the target: 5 s after the first failure, doubling up to 5 minutes. The pipeline forgets the
 * failure once a batch with row changes commits at or past the change it failed on
 * ({@link SourcePosition#reached}): neither batches of heartbeats alone nor a batch that holds only the
 * first part of the failing transaction (the connector cuts batches where it likes) show that the failure
 * is behind it. Table {@code overlap_failures}, one row per pipeline: {@code pipeline} (key),
 * {@code source_offset} (the offset of the batch that failed, as JSON; {@code none} when the failure came
 * before any batch), {@code failures} (how many starts in a row failed), {@code error} (the failure's one
 * line, which names no row value) and {@code failed_at}.
 */
public final class FailureStore {
    /** Name of the table on the target. */
    public static final String TABLE = "overlap_failures";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    private static final Duration FIRST_PAUSE = Duration.ofSeconds(5);
    private static final Duration LONGEST_PAUSE = Duration.ofMinutes(5);

    private final String pipeline;
    private final SqlDialect dialect;

    /**
     * A failure recorded earlier.
     *
     * @param failures how many starts in a row failed, at least 1
     * @param error the last failure's message
     * @param failedAt the offset of the batch that failed, or {@code null} when the failure came before any batch
     */
    public record Failure(int failures, String error, Map<String, Object> failedAt) {
        /** @return how long the next start waits before it tries the batch again: 5 s, doubling, at most 5 min */
        public Duration pause() {
            long seconds = FIRST_PAUSE.toSeconds() << Math.min(failures - 1, 10);
            return Duration.ofSeconds(Math.min(seconds, LONGEST_PAUSE.toSeconds()));
        }
    }

    /**
     * @param pipeline the pipeline whose row this store reads and writes
     * @param dialect the target's dialect
     */
    public FailureStore(String pipeline, SqlDialect dialect) {
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
            st.execute("CREATE TABLE IF NOT EXISTS " + dialect.quote(TABLE) + " (pipeline VARCHAR(64) PRIMARY KEY,"
                    + " source_offset TEXT NOT NULL, failures INT NOT NULL, error TEXT NOT NULL, failed_at "
                    + dialect.timestampType() + " NOT NULL)");
        }
    }

    /**
     * @return the failure the last starts stopped on, or empty when the last one did not fail
     * @throws SQLException when the table cannot be read
     */
    public Optional<Failure> load(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT failures, error, source_offset FROM " + dialect.quote(TABLE)
                + " WHERE pipeline = ?")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                String offset = rs.getString(3);
                return Optional.of(new Failure(rs.getInt(1), rs.getString(2), "none".equals(offset) ? null : JSON.readValue(offset, MAP)));
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(TABLE + " holds an unreadable offset for pipeline " + pipeline, e);
        }
    }

    /**
     * Records a failure, counting it onto the one before, and commits.
     *
     * @param failedAt the offset of the batch that failed, or {@code null} when the failure came before any batch
     * @param error the failure's one line, without row values
     * @throws SQLException when the target refuses
     */
    public void record(Connection connection, Map<String, ?> failedAt, String error) throws SQLException {
        int failures = load(connection).map(Failure::failures).orElse(0) + 1;
        clear(connection);
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO " + dialect.quote(TABLE)
                + " (pipeline, source_offset, failures, error, failed_at) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, pipeline);
            ps.setString(2, json(failedAt));
            ps.setInt(3, failures);
            ps.setString(4, error);
            ps.setObject(5, LocalDateTime.now(ZoneOffset.UTC));
            ps.executeUpdate();
        }
        connection.commit();
    }

    /**
     * Forgets the failure (a batch with row changes committed since), in the caller's transaction.
     *
     * @throws SQLException when the delete fails
     */
    public void clear(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM " + dialect.quote(TABLE) + " WHERE pipeline = ?")) {
            ps.setString(1, pipeline);
            ps.executeUpdate();
        }
    }

    private static String json(Map<String, ?> offset) {
        try {
            return offset == null ? "none" : JSON.writeValueAsString(offset);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the source offset", e);
        }
    }
}
