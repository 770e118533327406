package dev.overlap.replicator.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.overlap.replicator.UserError;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
        if (!node.isObject()) {
            throw new UserError(where + " must be a mapping such as {mode: verify-full, ca: /etc/overlap/ca.pem}");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            String name = it.next().getKey();
            if (!KEYS.contains(name)) {
                throw new UserError(where + ": unknown key '" + name + "'; known keys: ca, cert, key, mode");
            }
        }
        Mode mode = mode(node.path("mode").asText(""), inner(where, "mode"));
        Path ca = file(node, "ca", where);
        Path cert = file(node, "cert", where);
        Path key = file(node, "key", where);
        if ((cert == null) != (key == null)) {
            throw new UserError(where + ": give both cert and key for a client certificate, or neither");
        }
        if (mode == Mode.DISABLE && (ca != null || cert != null)) {
            throw new UserError(where + ": mode disable uses no certificates; remove ca, cert and key or choose"
                    + " require, verify-ca or verify-full");
        }
        if (ca != null) {
            checkCertificates(ca, inner(where, "ca"));
        }
        if (cert != null) {
            checkCertificates(cert, inner(where, "cert"));
            checkKey(key, inner(where, "key"));
        }
        return new Tls(mode, ca, cert, key);
    }

    /** @return {@code f: 'source.tls.ca'} from {@code f: 'source.tls'} and {@code ca} */
    private static String inner(String where, String name) {
        return where.endsWith("'") ? where.substring(0, where.length() - 1) + "." + name + "'" : where + "." + name;
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

    private static Path file(JsonNode node, String name, String where) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        Path path = Path.of(value.asText());
        if (!Files.isReadable(path)) {
            throw new UserError(inner(where, name) + " names " + path + ", which cannot be read; check the path and its"
                    + " permissions");
        }
        return path;
    }

    private static void checkCertificates(Path file, String where) {
        try (InputStream in = Files.newInputStream(file)) {
            if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
                throw new CertificateException("no certificate");
            }
        } catch (IOException | CertificateException e) {
            throw new UserError(where + " names " + file + ", which holds no PEM certificate (BEGIN CERTIFICATE)");
        }
    }

    private static void checkKey(Path file, String where) {
        try {
            List<String> lines = Files.readAllLines(file);
            if (!lines.contains("-----BEGIN PRIVATE KEY-----")) {
                throw new IOException("not PKCS#8");
            }
        } catch (IOException e) {
            throw new UserError(where + " names " + file + ", which holds no PKCS#8 PEM key (BEGIN PRIVATE KEY);"
                    + " convert it with: openssl pkcs8 -topk8 -nocrypt -in " + file.getFileName() + " -out client.key");
        }
    }
}
