package dev.overlap.replicator.verify;

import dev.overlap.checksum.Databases;
import dev.overlap.replicator.config.Endpoint;
import dev.overlap.replicator.jdbc.Connections;
import java.sql.Connection;
import java.time.Duration;

/**
 * The verifier's connections to a pipeline's source and target, opened through {@link Connections}
 * (a connection failure is a {@link dev.overlap.replicator.UserError} naming the endpoint). The engine
 * gives the checksum dialect and the watermark that go with them.
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
}
