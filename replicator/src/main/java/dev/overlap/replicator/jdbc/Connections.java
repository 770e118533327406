package dev.overlap.replicator.jdbc;

import dev.overlap.replicator.UserError;
import dev.overlap.replicator.config.Endpoint;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

/**
 * Opens plain JDBC connections to an {@link Endpoint}, with its TLS settings ({@link DriverTls}), and turns
 * connection failures into
 * {@link UserError}s that name the endpoint (never its password) and the likely fix.
 */
public final class Connections {
    private Connections() {
    }

    /**
     * The longest wait for an answer on Overlap's own short-lived connections (preflight, catalog, the initial copy):
     * long enough for a slow catalog query or a large chunk's commit, short enough that a silent partition (packets
     * dropped, no reset) fails the call instead of hanging it for the kernel's ~15 minutes.
     */
    public static final Duration SOCKET_TIMEOUT = Duration.ofMinutes(2);

    /**
     * @param endpoint the database
     * @return an open connection in auto-commit mode whose every wait for the server ends after {@link #SOCKET_TIMEOUT}
     * @throws UserError when the database cannot be reached or refuses the login
     */
    public static Connection open(Endpoint endpoint) {
        return open(endpoint, SOCKET_TIMEOUT);
    }

    /**
     * Opens a connection on which every network read, the login included, waits at most
     * {@code socketTimeout}: a host that stops answering without refusing (packets dropped) fails the
     * call instead of hanging it.
     *
     * @param endpoint the database
     * @param socketTimeout the longest wait for the server, whole seconds on PostgreSQL; zero for none
     * @return an open connection in auto-commit mode
     * @throws UserError when the database cannot be reached or refuses the login
     */
    public static Connection open(Endpoint endpoint, Duration socketTimeout) {
        Properties props = endpoint.credentials();
        DriverTls.addTo(endpoint, props);
        if (!socketTimeout.isZero()) {
            // PostgreSQL counts socketTimeout in seconds, MySQL Connector/J and MariaDB Connector/J in ms
            props.setProperty("socketTimeout", endpoint.kind() == dev.overlap.replicator.config.DatabaseKind.POSTGRESQL
                    ? Long.toString(Math.max(1, socketTimeout.toSeconds())) : Long.toString(socketTimeout.toMillis()));
        }
        // PostgreSQL counts connectTimeout in seconds, MySQL Connector/J and MariaDB Connector/J in ms
        props.setProperty("connectTimeout", endpoint.kind() == dev.overlap.replicator.config.DatabaseKind.POSTGRESQL ? "10" : "10000");
        props.setProperty("ApplicationName", "overlap");
        if (endpoint.kind() == dev.overlap.replicator.config.DatabaseKind.POSTGRESQL) {
            // error messages without the server's detail, which quotes row values (Key (email)=(…))
            props.setProperty("logServerErrorDetail", "false");
            props.putAll(sessionOverrides(endpoint));
        }
        try {
            return DriverManager.getConnection(endpoint.url(), props);
        } catch (SQLException e) {
            throw explain(endpoint, e);
        }
    }

    /**
     * The settings Overlap's own sessions on an endpoint override at login: on PostgreSQL, {@code
     * default_transaction_read_only = off}, so that the pipeline writes into a target database kept read-only for the
     * application until promote opens it (README, "Cutover"), and prepares the reverse direction on the new host
     * before it opens; none on MySQL/MariaDB, whose {@code read_only} the user's privileges pass.
     *
     * @param endpoint the database
     * @return driver properties to add (pgjdbc's {@code options})
     */
    public static Properties sessionOverrides(Endpoint endpoint) {
        Properties props = new Properties();
        if (endpoint.kind() == dev.overlap.replicator.config.DatabaseKind.POSTGRESQL) {
            props.setProperty("options", "-c default_transaction_read_only=off");
        }
        return props;
    }

    /**
     * @param connection an open connection
     * @param sql a query of one row and one column
     * @return that value as text
     * @throws SQLException when the query fails or returns no row
     */
    public static String single(Connection connection, String sql) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new SQLException("no row from: " + sql);
            }
            return rs.getString(1);
        }
    }

    /**
     * @param endpoint the database the failure came from
     * @param e a failure to connect
     * @return a one-line error naming the endpoint and the fix
     */
    public static UserError explain(Endpoint endpoint, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String where = endpoint.role() + " " + endpoint.display();
        if (state.equals("28P01") || state.equals("28000") || state.equals("28")) {
            return new UserError(where + ": login refused for user '" + endpoint.user() + "' (" + firstLine(e)
                    + "); check " + endpoint.role() + ".user and " + endpoint.role() + ".password");
        }
        if (state.equals("3D000") || e.getErrorCode() == 1049) {
            return new UserError(where + ": database '" + endpoint.database() + "' does not exist; check "
                    + endpoint.role() + ".url");
        }
        if (tlsRefused(e)) {
            return new UserError(where + ": TLS refused: " + tlsReason(endpoint, e) + "; check " + endpoint.role()
                    + ".tls (ca: the authority that signed the server's certificate; verify-full: a certificate that names"
                    + " host " + endpoint.host() + ")");
        }
        if (state.startsWith("08")) {
            return new UserError(where + ": cannot connect (" + firstLine(e) + "); check " + endpoint.role()
                    + ".url and that the server accepts connections from this host");
        }
        return new UserError(where + ": " + firstLine(e) + " (SQLState " + state + ")");
    }

    /** @return whether the failure is a TLS handshake the client or the server refused */
    private static boolean tlsRefused(SQLException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof javax.net.ssl.SSLException || cause instanceof java.security.cert.CertificateException) {
                return true;
            }
        }
        String message = String.valueOf(e.getMessage());
        return message.contains("SSL error") || message.contains("certificate") || message.contains("hostnameverifier");
    }

    /** @return why the handshake failed, in words, without the JDK's exception class names */
    private static String tlsReason(Endpoint endpoint, SQLException e) {
        String message = "";
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            message += " " + cause.getMessage();
        }
        if (message.contains("PKIX path") || message.contains("certification path") || message.contains("trust anchor")) {
            return "the server's certificate is not signed by a CA in " + endpoint.role() + ".tls.ca";
        }
        if (message.contains("hostname") || message.contains("host name") || message.contains("No subject alternative")) {
            return "the server's certificate does not name host " + endpoint.host();
        }
        return firstLine(e).replaceAll("[\\w.]+Exception: ", "");
    }

    private static String firstLine(SQLException e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
