package dev.overlap.replicator.engine;

import dev.overlap.replicator.UserError;
import dev.overlap.replicator.config.DatabaseKind;
import dev.overlap.replicator.config.OverlapConfig;
import dev.overlap.replicator.engine.mysql.MySqlEngine;
import dev.overlap.replicator.engine.postgres.PostgresEngine;

/** The one place that chooses a pipeline's {@link Engine}. */
public final class Engines {
    private Engines() {
    }

    /**
     * Chooses the engine of a pipeline: PostgreSQL, or for a MySQL-protocol source the binlog engine, whose
     * connector (MySQL's or MariaDB's) and dialect come from the servers' versions, not from the URLs.
     *
     * @param config the pipeline configuration
     * @return the engine; for MySQL/MariaDB after reading both servers' versions
     * @throws UserError when source and target are not both PostgreSQL or both MySQL/MariaDB, or a server
     *         cannot be reached
     */
    public static Engine connect(OverlapConfig config) {
        boolean postgres = config.source().kind() == DatabaseKind.POSTGRESQL;
        if (postgres != (config.target().kind() == DatabaseKind.POSTGRESQL)) {
            throw new UserError("target " + config.target().display() + ": the source is " + config.source().kind()
                    + " and the target " + config.target().kind() + "; Overlap replicates PostgreSQL to PostgreSQL"
                    + " and MySQL/MariaDB to MySQL/MariaDB");
        }
        return postgres ? new PostgresEngine(config) : MySqlEngine.connect(config);
    }
}
