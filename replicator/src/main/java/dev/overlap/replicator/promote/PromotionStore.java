package dev.overlap.replicator.promote;

import dev.overlap.replicator.sql.SqlDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/**
 * The cutover's durable state in the target, table {@code overlap_promotions}, one row per pipeline:
 * {@code frozen} while promote holds the source frozen (with the source's earlier database-level
 * {@code default_transaction_read_only}, to restore on abort), {@code promoted} once the target is
 * open (with the report). A daemon or a promote call that finds {@code frozen} left by a crash rolls
 * the source back; a daemon that finds {@code promoted} refuses to replicate onto the new master.
 */
public final class PromotionStore {
    /** Name of the table on the target. */
    public static final String TABLE = "overlap_promotions";

    /**
     * @param state {@code frozen} (the source is frozen; OPEN_TARGET has not begun), {@code opening} (OPEN_TARGET began:
     *        whether the target opened must be read from it) or {@code promoted}
     * @param previousReadOnly the source's database-level setting before the freeze, {@code null} when unset
     * @param report the report of a finished promotion, JSON, or {@code null}
     */
    public record Promotion(String state, String previousReadOnly, String report) {
    }

    private final String pipeline;
    private final SqlDialect dialect;

    /**
     * @param pipeline the pipeline
     * @param dialect the target's dialect
     */
    public PromotionStore(String pipeline, SqlDialect dialect) {
        this.pipeline = pipeline;
        this.dialect = dialect;
    }

    /** @throws SQLException when the table cannot be created */
    public void createTable(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + dialect.quote(TABLE) + " (pipeline VARCHAR(64) PRIMARY KEY,"
                    + " state VARCHAR(16) NOT NULL, previous_read_only VARCHAR(16), report TEXT, updated_at " + dialect.timestampType()
                    + " NOT NULL)");
        }
    }

    /**
     * @return this pipeline's row, or empty; also empty when the table does not exist yet
     * @throws SQLException when the table cannot be read
     */
    public Optional<Promotion> load(Connection c) throws SQLException {
        createTable(c);
        try (PreparedStatement ps = c.prepareStatement("SELECT state, previous_read_only, report FROM " + dialect.quote(TABLE)
                + " WHERE pipeline = ?")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Promotion(rs.getString(1), rs.getString(2), rs.getString(3))) : Optional.empty();
            }
        }
    }

    /**
     * Records the state, replacing the earlier row.
     *
     * @param promotion what to record
     * @throws SQLException when the write fails
     */
    public void save(Connection c, Promotion promotion) throws SQLException {
        createTable(c);
        String sql = dialect.upsertRow(dialect.quote(TABLE),
                List.of("pipeline", "state", "previous_read_only", "report", "updated_at"));
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, pipeline);
            ps.setString(2, promotion.state());
            ps.setString(3, promotion.previousReadOnly());
            ps.setString(4, promotion.report());
            ps.setObject(5, LocalDateTime.now(ZoneOffset.UTC));
            ps.executeUpdate();
        }
    }

    /**
     * @return when this pipeline's promote was recorded as done (UTC, the recording daemon's clock), or empty when it is
     *         not promoted
     * @throws SQLException when the table cannot be read
     */
    public Optional<LocalDateTime> promotedAt(Connection c) throws SQLException {
        createTable(c);
        try (PreparedStatement ps = c.prepareStatement("SELECT updated_at FROM " + dialect.quote(TABLE)
                + " WHERE pipeline = ? AND state = 'promoted'")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getObject(1, LocalDateTime.class)) : Optional.empty();
            }
        }
    }

    /** Forgets this pipeline's row (after an abort). @throws SQLException when the delete fails */
    public void clear(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + dialect.quote(TABLE) + " WHERE pipeline = ?")) {
            ps.setString(1, pipeline);
            ps.executeUpdate();
        }
    }
}
