package dev.overlap.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/** PostgreSQL in a Testcontainers container: the route when a Docker daemon is reachable. */
final class ContainerPostgresRoute implements DatabaseServer {
    private final PostgreSQLContainer<?> container;

    private ContainerPostgresRoute(PostgreSQLContainer<?> container) {
        this.container = container;
    }

    static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }

    static ContainerPostgresRoute start(Map<String, String> settings) {
        List<String> command = new ArrayList<>(List.of("postgres", "-c", "wal_level=logical", "-c", "max_replication_slots=64",
                "-c", "max_wal_senders=64"));
        settings.forEach((key, value) -> command.addAll(List.of("-c", key + "=" + value)));
        PostgreSQLContainer<?> container = new PostgreSQLContainer<>("postgres:17").withCommand(command.toArray(String[]::new));
        container.start();
        return new ContainerPostgresRoute(container);
    }

    @Override
    public String route() {
        return "testcontainers";
    }

    @Override
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + container.getHost() + ":" + container.getFirstMappedPort() + "/" + database;
    }

    @Override
    public String superuser() {
        return container.getUsername();
    }

    @Override
    public String superuserPassword() {
        return container.getPassword();
    }

    @Override
    public void requirePassword(String role) {
        // the postgres image checks passwords on every TCP login already
    }

    @Override
    public void close() {
        container.stop();
    }
}
