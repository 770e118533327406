package dev.overlap.replicator.config;

/**
 * A password resolved from {@code ${env:NAME}} or {@code ${file:/path}}. Its {@link #toString()}
 * never shows the value, so a secret that ends up in a log line, exception or report stays hidden.
 */
public final class Secret {
    private final String value;
    private final String origin;

    /**
     * @param value the secret itself
     * @param origin where it came from, e.g. {@code env:OVERLAP_SOURCE_PASSWORD}; safe to print
     */
    public Secret(String value, String origin) {
        this.value = value;
        this.origin = origin;
    }

    /** @return the secret value; pass it only to a JDBC driver or Debezium, never to a logger */
    public String reveal() {
        return value;
    }

    /** @return where the secret came from, safe to print */
    public String origin() {
        return origin;
    }

    @Override
    public String toString() {
        return "****(" + origin + ")";
    }
}
