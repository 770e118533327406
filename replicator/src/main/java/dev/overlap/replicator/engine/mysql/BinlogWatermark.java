package dev.overlap.replicator.engine.mysql;

import dev.overlap.replicator.jdbc.Connections;
import dev.overlap.replicator.offset.OffsetStore;
import dev.overlap.replicator.offset.SourcePosition;
import dev.overlap.replicator.verify.AppliedOffsets;
import dev.overlap.replicator.verify.PipelineWatermark;
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
final class BinlogWatermark implements PipelineWatermark {
    private final OffsetStore offsets;
    private final AppliedOffsets applied;

    /**
     * @param pipeline the pipeline whose offset row is read
     * @param target opens a connection to the target for each wait
     */
    BinlogWatermark(String pipeline, Supplier<Connection> target) {
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

    /** @return the end of the source's binlog as a {@link SourcePosition.BinlogPosition} */
    @Override
    public Object sourcePosition(Connection source) throws SQLException {
        String version = Connections.single(source, "SELECT VERSION()");
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
            String gtids = mariadb ? Connections.single(source, "SELECT @@GLOBAL.gtid_binlog_pos") : rs.getString("Executed_Gtid_Set");
            return new SourcePosition.BinlogPosition(file, position, gtids == null || gtids.isBlank() ? null
                    : gtids.replace("\n", ""), false);
        }
    }

    @Override
    public boolean awaitApplied(Object position, Duration timeout) throws SQLException, InterruptedException {
        SourcePosition.BinlogPosition wanted = (SourcePosition.BinlogPosition) position;
        return applied.await(offset -> offset.position() instanceof SourcePosition.BinlogPosition stored && stored.atOrAfter(wanted),
                timeout);
    }

}
