package dev.overlap.replicator.config;

/**
 * The database a JDBC URL names by its scheme: which driver connects, and how its options are spelled.
 * Which replication engine runs is decided from the servers themselves, by the engine package.
 */
public enum DatabaseKind {
    /** PostgreSQL 10 or later, logical decoding with pgoutput. */
    POSTGRESQL("jdbc:postgresql:", 5432),
    /** MySQL 8.0 with a row-based binlog. */
    MYSQL("jdbc:mysql:", 3306),
    /** MariaDB 10.11 or 11.x with a row-based binlog. */
    MARIADB("jdbc:mariadb:", 3306);

    private final String urlPrefix;
    private final int defaultPort;

    DatabaseKind(String urlPrefix, int defaultPort) {
        this.urlPrefix = urlPrefix;
        this.defaultPort = defaultPort;
    }

    /** @return the port used when the URL names none */
    public int defaultPort() {
        return defaultPort;
    }

    /**
     * @param jdbcUrl a JDBC URL such as {@code jdbc:postgresql://host:5432/db}
     * @return the engine of that URL, or {@code null} when the scheme is none of ours
     */
    public static DatabaseKind ofUrl(String jdbcUrl) {
        for (DatabaseKind kind : values()) {
            if (jdbcUrl.startsWith(kind.urlPrefix)) {
                return kind;
            }
        }
        return null;
    }
}
