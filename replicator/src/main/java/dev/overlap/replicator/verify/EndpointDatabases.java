package dev.overlap.replicator.verify;

import dev.overlap.checksum.Databases;
import dev.overlap.replicator.Connections;
import dev.overlap.replicator.config.Endpoint;
import java.sql.Connection;

/**
 * The verifier's connections to a pipeline's source and target, opened through {@link Connections}
 * (a connection failure is a {@link dev.overlap.replicator.UserError} naming the endpoint).
 *
 * @param source the source database
 * @param target the target database
 */
public record EndpointDatabases(Endpoint source, Endpoint target) implements Databases {
    @Override
    public Connection openSource() {
        return Connections.open(source);
    }

    @Override
    public Connection openTarget() {
        return Connections.open(target);
    }
}
