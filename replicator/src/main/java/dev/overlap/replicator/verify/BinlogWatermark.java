package dev.overlap.replicator.verify;

import dev.overlap.replicator.apply.MySqlDialect;
import dev.overlap.replicator.offset.OffsetStore;
import dev.overlap.replicator.offset.StoredOffset;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The {@link PipelineWatermark} of a MySQL or MariaDB pipeline. The source position is the end of the
 * binlog ({@code SHOW MASTER STATUS}; {@code SHOW BINARY LOG STATUS} on MySQL 8.2 and later, where
 * the old statement is gone): file and position, with the GTID state for messages
 * ({@code Executed_Gtid_Set} on MySQL, {@code @@gtid_binlog_pos} on MariaDB). The applied position is
 * the {@code file}/{@code pos} of Debezium's binlog offset that the Applier committed into
 * {@code overlap_offsets} with the rows.
 *
 * <p>Debezium's {@code pos} is where the last transaction it delivered <em>starts</em> (it resumes
 * there, skipping {@code event}/{@code row} counts). The binlog holds transactions in commit order, so
 * once the stored position is at or after a source position {@code P}, the transaction there started
 * after every transaction committed before {@code P} ended, and those are all on the target. The
 * daemon's heartbeat (a source write every second) is such a later transaction when the application
 * is idle, so a wait takes about the replication lag plus up to one second. File/position are
 * compared rather than GTIDs because a GTID set in the offset does not say whether its last
 * transaction was applied whole, and a MariaDB GTID position has one sequence per domain. Needs
 * REPLICATION CLIENT (MySQL) or BINLOG MONITOR (MariaDB) on the source, which replication has anyway.
 */
public final class BinlogWatermark implements PipelineWatermark {
    private final OffsetStore offsets;
    private final AppliedOffsets applied;

    /**
     * A binlog position.
     *
     * @param file binlog file name, e.g. {@code binlog.000003}
     * @param position byte offset in it
     * @param gtids the source's GTID state when read (for messages), or empty
     */
    public record Position(String file, long position, String gtids) {

        /** @return whether this position is at or after {@code other}: later file (by its numeric suffix), or same file and byte */
        public boolean atOrAfter(Position other) {
            long mine = sequence(file);
            long theirs = sequence(other.file);
            return mine != theirs ? mine > theirs : position >= other.position;
        }

        private static long sequence(String file) {
            String suffix = file.substring(file.lastIndexOf('.') + 1);
            try {
                return Long.parseLong(suffix);
            } catch (NumberFormatException e) {
                throw new IllegalStateException("binlog file name without a numeric suffix: " + file, e);
            }
        }

        @Override
        public String toString() {
            return file + ":" + position + (gtids.isEmpty() ? "" : " (GTIDs " + gtids + ")");
        }
    }

    /**
     * @param pipeline the pipeline whose offset row is read
     * @param target opens a connection to the target for each wait
     */
    public BinlogWatermark(String pipeline, Supplier<Connection> target) {
        this.offsets = new OffsetStore(pipeline, new MySqlDialect(false));
        this.applied = new AppliedOffsets(offsets, target);
    }

    @Override
    public boolean replicating(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT COUNT(*) FROM information_schema.TABLES"
                + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?")) {
            ps.setString(1, OffsetStore.TABLE);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    return false;
                }
            }
        }
        return offsets.load(connection).isPresent();
    }

    /** @return the end of the source's binlog as a {@link Position} */
    @Override
    public Object sourcePosition(Connection source) throws SQLException {
        String version = single(source, "SELECT VERSION()");
        boolean mariadb = version.contains("MariaDB");
        String[] numbers = version.replaceAll("[^0-9.].*$", "").split("\\.");
        boolean binaryLogStatus = !mariadb && numbers.length >= 2
                && (Integer.parseInt(numbers[0]) > 8 || Integer.parseInt(numbers[0]) == 8 && Integer.parseInt(numbers[1]) >= 2);
        try (Statement st = source.createStatement();
             ResultSet rs = st.executeQuery(binaryLogStatus ? "SHOW BINARY LOG STATUS" : "SHOW MASTER STATUS")) {
            if (!rs.next()) {
                throw new SQLException("the source has no binary log (SHOW MASTER STATUS is empty); is log_bin on?");
            }
            String file = rs.getString("File");
            long position = rs.getLong("Position");
            String gtids = mariadb ? single(source, "SELECT @@GLOBAL.gtid_binlog_pos") : rs.getString("Executed_Gtid_Set");
            return new Position(file, position, gtids == null ? "" : gtids.replace("\n", ""));
        }
    }

    @Override
    public boolean awaitApplied(Object position, Duration timeout) throws SQLException, InterruptedException {
        Position wanted = (Position) position;
        return applied.await(offset -> stored(offset) != null && stored(offset).atOrAfter(wanted), timeout);
    }

    /** @return the binlog file/position of a Debezium MySQL/MariaDB offset, or {@code null} when it has none */
    static Position stored(StoredOffset offset) {
        Object file = offset.offset().get("file");
        Object pos = offset.offset().get("pos");
        if (file == null || !(pos instanceof Number number)) {
            return null;
        }
        Object gtids = offset.offset().get("gtids");
        return new Position(file.toString(), number.longValue(), gtids == null ? "" : gtids.toString());
    }

    private static String single(Connection connection, String sql) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
