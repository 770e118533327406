package dev.overlap.replicator.promote;

import dev.overlap.replicator.catalog.TableId;
import dev.overlap.replicator.config.Endpoint;
import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.jdbc.Connections;
import dev.overlap.replicator.sql.SqlDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine-specific operations of promote ({@link Promoter}), which each engine package implements:
 * checking privileges, freezing and unfreezing the source, fixing sequences or AUTO_INCREMENT, opening
 * the target. The fence and the
 * row-count comparison are the same on every engine and live here.
 */
public abstract class Cutover {
    /** The source database. */
    protected final Endpoint source;
    /** The target database. */
    protected final Endpoint target;
    /** The dialect of both databases. */
    protected final SqlDialect dialect;
    /** Roles (users) whose sessions the freeze leaves alone; the source user is always among them. */
    protected final List<String> spareRoles;
    private final Duration callTimeout;

    /**
     * @param config the pipeline's configuration: source, target, {@code promote.spare-roles} (the source
     *        user is always spared) and {@code promote.timeout}, which bounds every database call
     * @param dialect the dialect of both databases
     */
    protected Cutover(OverlapConfig config, SqlDialect dialect) {
        this.source = config.source();
        this.target = config.target();
        this.dialect = dialect;
        this.callTimeout = config.promote().timeout();
        List<String> spare = new ArrayList<>(config.promote().spareRoles());
        spare.add(source.user());
        this.spareRoles = List.copyOf(spare);
    }

    /**
     * @return a connection to the source on which no call waits longer than {@code promote.timeout}, so
     *         that a source that stops answering aborts the promote instead of hanging it
     */
    protected Connection sourceConnection() {
        return Connections.open(source, callTimeout);
    }

    /** @return a connection to the target, bounded as {@link #sourceConnection()} */
    protected Connection targetConnection() {
        return Connections.open(target, callTimeout);
    }

    /**
     * Checks that every later step is permitted, before anything changes.
     *
     * @return the problems found, empty when promote may start
     * @throws SQLException when a database cannot be read
     */
    public abstract List<String> precheck() throws SQLException;

    /**
     * @return the source's read-only setting before the freeze, to restore on abort; {@code null} when unset
     * @throws SQLException when the source cannot be read
     */
    public abstract String sourceReadOnlySetting() throws SQLException;

    /**
     * Freezes the source: no application session can write any more, and those open are ended.
     *
     * @return how many sessions were ended
     * @throws SQLException when the source refuses
     */
    public abstract int freezeSource() throws SQLException;

    /**
     * Returns the source to the setting it had before the freeze.
     *
     * @param previous what {@link #sourceReadOnlySetting()} returned
     * @throws SQLException when the source refuses
     */
    public abstract void unfreezeSource(String previous) throws SQLException;

    /** @return what an operator runs on the source to undo the freeze by hand, for messages */
    public abstract String unfreezeHint();

    /**
     * Makes the target's generators continue after the source's: sequences, or AUTO_INCREMENT.
     *
     * @return how many were set or checked
     * @throws SQLException when one cannot be read or set
     */
    public abstract int fixSequences() throws SQLException;

    /**
     * Opens the target for writes (lifts a read-only setting kept during the overlap).
     *
     * @throws SQLException when the target refuses
     */
    public abstract void openTarget() throws SQLException;

    /**
     * Reads, on a new connection, whether the target takes writes: whether {@link #openTarget} took effect, also when
     * its answer was lost. A target that was never read-only counts as open.
     *
     * @return {@code true} when the target is open for writes, {@code false} while it is still read-only
     * @throws SQLException when the target cannot be read
     */
    public abstract boolean targetOpen() throws SQLException;

    /** @return the query a DBA runs on the target to see whether it opened, for a message */
    public abstract String targetOpenCheck();

    /**
     * Releases what the source keeps for the pipeline after the promotion (a slot), if anything.
     *
     * @param slot the pipeline's slot and publication name
     * @return what was there and is dropped now, e.g. {@code replication slot overlap_shop}; empty when nothing was
     * @throws SQLException when it cannot be dropped
     */
    public abstract List<String> dropReplication(String slot) throws SQLException;

    /**
     * {@code overlap finish}: deletes the rows of the given pipelines ({@code pipeline} is one's name, or begins with it
     * and {@code #} or {@code /}: its fence, its DDL position) from one of Overlap's tables, and drops the table when no
     * row of any pipeline is left. A table that does not exist is skipped.
     *
     * @param onSource on the source (the session may write there although it is frozen), else on the target
     * @param pipelines the pipelines, e.g. both directions of one overlap
     * @param table the table, in the user's default schema or database
     * @param drop whether an empty table is dropped
     * @return what was removed, e.g. {@code overlap_offsets: 2 rows; table dropped}; empty when there was nothing
     * @throws SQLException when the host refuses
     */
    public List<String> removeRows(boolean onSource, List<String> pipelines, String table, boolean drop) throws SQLException {
        try (Connection c = onSource ? sourceConnection() : targetConnection(); Statement st = c.createStatement()) {
            if (onSource) {
                allowFenceWrite(st);
            }
            int rows = 0;
            for (String pipeline : pipelines) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + dialect.quote(table)
                        + " WHERE pipeline = ? OR LEFT(pipeline, ?) IN (?, ?)")) {
                    ps.setString(1, pipeline);
                    ps.setInt(2, pipeline.length() + 1);
                    ps.setString(3, pipeline + "#");
                    ps.setString(4, pipeline + "/");
                    rows += ps.executeUpdate();
                } catch (SQLException e) {
                    if (dialect.undefinedTable(e)) {
                        return List.of();
                    }
                    throw e;
                }
            }
            boolean empty;
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + dialect.quote(table))) {
                empty = rs.next() && rs.getLong(1) == 0;
            }
            if (drop && empty) {
                st.execute("DROP TABLE " + dialect.quote(table));
            }
            if (!c.getAutoCommit()) {
                c.commit();
            }
            if (rows == 0 && !(drop && empty)) {
                return List.of();
            }
            return List.of(table + ": " + rows + " rows" + (drop && empty ? "; table dropped"
                    : empty ? "" : "; table kept, other pipelines' rows remain"));
        }
    }

    /**
     * Lets the fence session write on the frozen source.
     *
     * @throws SQLException when the source refuses
     */
    protected abstract void allowFenceWrite(Statement session) throws SQLException;

    /**
     * Runs after the fence was written, e.g. to make the freeze total.
     *
     * @throws SQLException when the source refuses
     */
    protected void afterFence(Statement session) throws SQLException {
    }

    /**
     * Writes a fence row into the heartbeat table, through a session that may write on the frozen source.
     *
     * @param heartbeat the heartbeat table
     * @param key the fence's key, unique to this promote
     * @param at the fence's value
     * @throws SQLException when the source refuses
     */
    public void writeFence(TableId heartbeat, String key, LocalDateTime at) throws SQLException {
        try (Connection c = sourceConnection(); Statement st = c.createStatement()) {
            allowFenceWrite(st);
            String sql = dialect.upsertRow(dialect.table(heartbeat), List.of("pipeline", "ts"));
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, key);
                ps.setObject(2, at);
                ps.executeUpdate();
            }
            afterFence(st);
        }
    }

    /**
     * @return whether the target holds the fence row
     * @throws SQLException when the target cannot be read
     */
    public boolean fenceApplied(TableId heartbeat, String key, LocalDateTime at) throws SQLException {
        try (Connection c = targetConnection();
             PreparedStatement ps = c.prepareStatement("SELECT ts FROM " + dialect.table(heartbeat) + " WHERE pipeline = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && at.equals(rs.getObject(1, LocalDateTime.class));
            }
        }
    }

    /**
     * Compares row counts of the tables on both sides.
     *
     * @param tables the replicated tables
     * @return one line per table whose counts differ, empty when all agree
     * @throws SQLException when a table cannot be read
     */
    public List<String> countDifferences(List<TableId> tables) throws SQLException {
        List<String> differences = new ArrayList<>();
        try (Connection s = sourceConnection(); Connection t = targetConnection()) {
            for (TableId table : tables) {
                long sourceRows = count(s, table);
                long targetRows = count(t, table);
                if (sourceRows != targetRows) {
                    differences.add(table + ": source " + sourceRows + " rows, target " + targetRows);
                }
            }
        }
        return differences;
    }

    private long count(Connection c, TableId table) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + dialect.table(table))) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
