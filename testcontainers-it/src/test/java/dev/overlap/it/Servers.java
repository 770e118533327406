package dev.overlap.it;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The servers the suite shares, two per engine (old host and new host), started on first use and
 * stopped when the test JVM exits. Each test works in databases of its own ({@link DatabasePair}).
 */
final class Servers {
    private static final Map<String, DatabaseServer> STARTED = new HashMap<>();

    private Servers() {
    }

    private static synchronized DatabaseServer shared(String name, Supplier<DatabaseServer> start) {
        return STARTED.computeIfAbsent(name, n -> {
            DatabaseServer server = start.get();
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
            return server;
        });
    }

    static DatabaseServer source() {
        return shared("postgres-source", DatabaseServer::postgres);
    }

    static DatabaseServer target() {
        return shared("postgres-target", DatabaseServer::postgres);
    }

    static DatabaseServer mariadbSource() {
        return shared("mariadb-source", () -> DatabaseServer.mariadb(Map.of()));
    }

    static DatabaseServer mariadbTarget() {
        return shared("mariadb-target", () -> DatabaseServer.mariadb(Map.of("server_id", "2")));
    }

    static DatabaseServer mariadbLtsSource() {
        return shared("mariadb-lts-source", () -> DatabaseServer.mariadbLts(Map.of()));
    }

    static DatabaseServer mariadbLtsTarget() {
        return shared("mariadb-lts-target", () -> DatabaseServer.mariadbLts(Map.of("server_id", "2")));
    }

    static DatabaseServer mysqlSource() {
        return shared("mysql-source", () -> DatabaseServer.mysql(Map.of()));
    }

    static DatabaseServer mysqlTarget() {
        return shared("mysql-target", () -> DatabaseServer.mysql(Map.of("server_id", "2")));
    }
}
