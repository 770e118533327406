package dev.overlap.it;

import dev.overlap.embedded.EmbeddedServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** One statement as the superuser on an embedded server the test started itself (outside {@link Servers}). */
final class EmbeddedSql {
    private EmbeddedSql() {
    }

    /** Runs a statement in the database. */
    static void execute(EmbeddedServer server, String database, String sql) throws SQLException {
        try (Connection c = server.connect(database); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** @return the first column of the query's first row, as text */
    static String query(EmbeddedServer server, String database, String sql) throws SQLException {
        try (Connection c = server.connect(database); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
