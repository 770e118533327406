package dev.overlap.replicator.verify;

import dev.overlap.checksum.ChecksumDialect;
import dev.overlap.checksum.Databases;
import dev.overlap.checksum.MySqlChecksumDialect;
import dev.overlap.checksum.PostgresChecksumDialect;
import dev.overlap.replicator.Connections;
import dev.overlap.replicator.UserError;
import dev.overlap.replicator.config.Endpoint;
import dev.overlap.replicator.config.Engine;
import dev.overlap.replicator.source.MySqlServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The verifier's connections to a pipeline's source and target, opened through {@link Connections}
 * (a connection failure is a {@link dev.overlap.replicator.UserError} naming the endpoint), and the
 * {@link ChecksumDialect} that fits them.
 *
 * @param source the source database
 * @param target the target database
 * @param callTimeout the longest wait for either server on one call ({@link Connections#open(Endpoint, Duration)}),
 *        zero for none
 */
public record EndpointDatabases(Endpoint source, Endpoint target, Duration callTimeout) implements Databases {
    @Override
    public Connection openSource() {
        return Connections.open(source, callTimeout);
    }

    @Override
    public Connection openTarget() {
        return Connections.open(target, callTimeout);
    }

    /**
     * @param pipeline the pipeline name, whose offset on the target tells how far it applied
     * @return the pipeline's watermark on this target: {@link OffsetWatermark} (LSN) on PostgreSQL,
     *         {@link BinlogWatermark} (binlog file and position) on MySQL/MariaDB
     */
    public PipelineWatermark watermark(String pipeline) {
        return postgres() ? new OffsetWatermark(pipeline, this::openTarget) : new BinlogWatermark(pipeline, this::openTarget);
    }

    /** @return whether both sides are PostgreSQL (otherwise both are MySQL or MariaDB, see {@link #dialect}) */
    public boolean postgres() {
        return source.engine() == Engine.POSTGRESQL;
    }

    /**
     * {@link #dialect(Connection, Connection)} on connections of its own, closed before it returns.
     *
     * @return the dialect for this source and target
     * @throws UserError when a side cannot be reached or the two run different engines
     * @throws SQLException when a server's version cannot be read
     */
    public ChecksumDialect dialect() throws SQLException {
        try (Connection source = openSource(); Connection target = openTarget()) {
            return dialect(source, target);
        }
    }

    /**
     * Chooses the dialect: PostgreSQL from the configuration; MySQL or MariaDB from the servers'
     * versions (not from the URL scheme, as for replication), because the two hash JSON differently.
     *
     * @param sourceConnection an open connection to {@link #source}
     * @param targetConnection an open connection to {@link #target}
     * @return {@link PostgresChecksumDialect} or {@link MySqlChecksumDialect}
     * @throws UserError when the two sides run different engines (hashes are comparable only within one)
     * @throws SQLException when a server's version cannot be read
     */
    public ChecksumDialect dialect(Connection sourceConnection, Connection targetConnection) throws SQLException {
        if (postgres() != (target.engine() == Engine.POSTGRESQL)) {
            throw new UserError("verify compares databases of the same engine; the source is " + source.engine()
                    + " and the target " + target.engine());
        }
        if (postgres()) {
            return new PostgresChecksumDialect();
        }
        MySqlServer sourceServer = MySqlServer.of(sourceConnection);
        MySqlServer targetServer = MySqlServer.of(targetConnection);
        if (sourceServer.mariadb() != targetServer.mariadb()) {
            throw new UserError("verify compares databases of the same engine; the source " + source.display()
                    + " is " + sourceServer + " and the target " + target.display() + " is " + targetServer);
        }
        return new MySqlChecksumDialect(sourceServer.mariadb());
    }
}
