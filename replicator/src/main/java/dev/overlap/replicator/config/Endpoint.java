package dev.overlap.replicator.config;

import java.net.URI;
import java.util.Properties;

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
 */
public record Endpoint(String role, String url, DatabaseKind kind, String host, int port, String database,
                       String user, Secret password) {

    /**
     * Parses a JDBC URL of the form {@code jdbc:<engine>://host[:port]/database[?options]}.
     *
     * @throws IllegalArgumentException with a one-line reason when the URL is not of that form
     */
    static Endpoint parse(String role, String url, String user, Secret password) {
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
        int port = uri.getPort() < 0 ? kind.defaultPort() : uri.getPort();
        return new Endpoint(role, url, kind, uri.getHost(), port, path.substring(1), user, password);
    }

    /** @return {@code host:port/database}: the endpoint without options or credentials, safe to print */
    public String display() {
        return host + ":" + port + "/" + database;
    }

    /** @return driver properties with user and password, for {@link java.sql.DriverManager} or a pool */
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
