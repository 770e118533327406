package dev.overlap.it;

import dev.overlap.embedded.EmbeddedServer;

/**
 * A {@link DatabaseServer} on an {@link EmbeddedServer} the tests start from downloaded binaries (the
 * route when Docker is not reachable): its URL and superuser, who has no password, and its stop. The
 * engine's route adds what differs.
 */
abstract class EmbeddedRoute implements DatabaseServer {
    /** The running server. */
    final EmbeddedServer server;

    EmbeddedRoute(EmbeddedServer server) {
        this.server = server;
    }

    @Override
    public String route() {
        return "embedded";
    }

    @Override
    public String jdbcUrl(String database) {
        return server.jdbcUrl(database);
    }

    @Override
    public String superuser() {
        return server.superuser();
    }

    @Override
    public String superuserPassword() {
        return "";
    }

    @Override
    public void close() {
        server.close();
    }
}
