package dev.overlap.replicator.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.overlap.replicator.UserError;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * The TLS settings of one side ({@code source.tls} or {@code target.tls}), applied to every connection of
 * that side: the change stream, the initial copy, the heartbeat, verify and promote. Each driver gets them
 * in its own terms ({@code jdbc.DriverTls}). The files are checked when the config is read: a CA that is no
 * PEM certificate, or a key that is no PKCS#8 PEM key, is a {@link UserError} at start.
 *
 * @param mode how strictly the server is checked
 * @param ca PEM file of the certificate authorities the server's certificate must chain to, or {@code null}
 *        for the JVM's trust store
 * @param cert PEM file of the client certificate, or {@code null} for none
 * @param key PEM file of the client certificate's private key (PKCS#8, {@code BEGIN PRIVATE KEY}), or
 *        {@code null} for none
 */
public record Tls(Mode mode, Path ca, Path cert, Path key) {
    private static final Set<String> KEYS = Set.of("mode", "ca", "cert", "key");

    /** How strictly the server is checked; the names are libpq's {@code sslmode} values. */
    public enum Mode {
        /** no TLS: everything travels in clear text */
        DISABLE,
        /** encrypted, but the server's certificate is not checked (a man in the middle goes unnoticed) */
        REQUIRE,
        /** encrypted, and the server's certificate must chain to the CA */
        VERIFY_CA,
        /** as {@link #VERIFY_CA}, and the certificate must name the host of the URL: the one to use between providers */
        VERIFY_FULL;

        /** @return the mode as written in {@code overlap.yml}, e.g. {@code verify-full} */
        public String text() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** @return whether the server's certificate is checked against a CA */
        public boolean verifies() {
            return this == VERIFY_CA || this == VERIFY_FULL;
        }
    }

    /**
     * Reads a {@code tls} mapping such as {@code {mode: verify-full, ca: /etc/overlap/ca.pem}}.
     *
     * @param node the mapping
     * @param where names the key and the file in a message
     * @return the checked settings
     * @throws UserError when a key is unknown, the mode is none of the four, a file cannot be read or is not what
     *         it should be, or only one of {@code cert} and {@code key} is given
     */
    static Tls read(JsonNode node, String where) {
        ConfigMappings.checkKeys(node, where, KEYS, "{mode: verify-full, ca: /etc/overlap/ca.pem}");
        Mode mode = mode(node.path("mode").asText(""), ConfigMappings.inner(where, "mode"));
        Path ca = ConfigMappings.file(node, "ca", where);
        Path cert = ConfigMappings.file(node, "cert", where);
        Path key = ConfigMappings.file(node, "key", where);
        if ((cert == null) != (key == null)) {
            throw new UserError(where + ": give both cert and key for a client certificate, or neither");
        }
        if (mode == Mode.DISABLE && (ca != null || cert != null)) {
            throw new UserError(where + ": mode disable uses no certificates; remove ca, cert and key or choose"
                    + " require, verify-ca or verify-full");
        }
        if (ca != null) {
            PemFiles.certificates(ca, ConfigMappings.inner(where, "ca"));
        }
        if (cert != null) {
            PemFiles.certificates(cert, ConfigMappings.inner(where, "cert"));
            PemFiles.privateKey(key, ConfigMappings.inner(where, "key"));
        }
        return new Tls(mode, ca, cert, key);
    }

    private static Mode mode(String text, String where) {
        for (Mode mode : Mode.values()) {
            if (mode.text().equals(text)) {
                return mode;
            }
        }
        throw new UserError(where + " is '" + text + "'; use one of disable, require, verify-ca, verify-full"
                + " (verify-full between hosting providers)");
    }
}
