package dev.overlap.embedded;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A database server the demo starts on this machine from binaries Maven downloaded:
 * {@link EmbeddedPostgresServer} or {@link EmbeddedBinlogServer} (MariaDB, MySQL). A superuser and a
 * JDBC URL on 127.0.0.1.
 */
public interface EmbeddedServer extends AutoCloseable {

    /**
     * @param database a database name
     * @return its JDBC URL
     */
    String jdbcUrl(String database);

    /** @return the superuser's name */
    String superuser();

    /**
     * @param database a database name
     * @return a superuser connection to it, in auto-commit mode
     * @throws SQLException when the server refuses
     */
    Connection connect(String database) throws SQLException;

    /**
     * @param name name of the database to create
     * @throws SQLException when it cannot be created
     */
    void createDatabase(String name) throws SQLException;

    /** Stops the server and removes its data. */
    @Override
    void close();
}
