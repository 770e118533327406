package dev.overlap.replicator.config;

import java.net.URI;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * One database the pipeline connects to (the source or the target).
 *
 * @param role {@code source} or {@code target}; names the endpoint in messages
 * @param url the JDBC URL as configured; may carry driver options after {@code ?}
 * @param kind the database the URL scheme names (which JDBC driver connects)
 * @param host host name from the URL
 * @param port TCP port from the URL, or the engine's default
 * @param database database name from the URL
 * @param user login user
 * @param password resolved password
 * @param tls the side's TLS settings, or {@code null} for the driver's defaults
 */
public record Endpoint(String role, String url, DatabaseKind kind, String host, int port, String database,
                       String user, Secret password, Tls tls) {

    /** A driver option of the URL that sets up TLS: pgjdbc's {@code ssl*}, the MySQL and MariaDB drivers' key stores. */
    private static final Pattern TLS_OPTION = Pattern.compile("(?i)(^|&)[a-z]*(ssl|truststore|keystore|certificate)[a-z]*=");

    /**
     * Parses a JDBC URL of the form {@code jdbc:<engine>://host[:port]/database[?options]}.
     *
     * @throws IllegalArgumentException with a one-line reason when the URL is not of that form, or carries TLS options
     *         beside {@code tls}
     */
    static Endpoint parse(String role, String url, String user, Secret password, Tls tls) {
        DatabaseKind kind = DatabaseKind.ofUrl(url);
        if (kind == null) {
            throw new IllegalArgumentException("is not a PostgreSQL, MySQL or MariaDB JDBC URL;"
                    + " write it as jdbc:postgresql://host:5432/db, jdbc:mysql://host:3306/db or jdbc:mariadb://host:3306/db");
        }
        URI uri;
        try {
            uri = URI.create(url.substring("jdbc:".length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not a valid URL (" + e.getMessage() + ")");
        }
        String path = uri.getPath();
        if (uri.getHost() == null || path == null || path.length() <= 1 || path.indexOf('/', 1) >= 0) {
            throw new IllegalArgumentException("must name a host and one database, as in jdbc:"
                    + uri.getScheme() + "://host:" + kind.defaultPort() + "/db");
        }
        if (tls != null && uri.getQuery() != null && TLS_OPTION.matcher(uri.getQuery()).find()) {
            throw new IllegalArgumentException("carries TLS options, and " + role + ".tls is given too; give them in "
                    + role + ".tls only, which every connection of the " + role + " uses");
        }
        int port = uri.getPort() < 0 ? kind.defaultPort() : uri.getPort();
        return new Endpoint(role, url, kind, uri.getHost(), port, path.substring(1), user, password, tls);
    }

    /** @return whether the host is this machine's loopback ({@code localhost}, {@code 127.x.x.x}, {@code ::1}) */
    public boolean loopback() {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1");
    }

    /** @return {@code host:port/database}: the endpoint without options or credentials, safe to print */
    public String display() {
        return host + ":" + port + "/" + database;
    }

    /**
     * @return driver properties with user and password, for {@link java.sql.DriverManager}; the TLS settings are
     *         added by {@code jdbc.DriverTls}
     */
    public Properties credentials() {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password.reveal());
        return props;
    }

    @Override
    public String toString() {
        return role + " " + display();
    }
}
