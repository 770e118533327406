package dev.overlap.replicator.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.overlap.replicator.UserError;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * HTTPS for the daemon's endpoints ({@code metrics.tls}): the certificate and key it serves with, and the client side
 * of the commands that talk to it ({@code overlap status}, {@code overlap promote}), which read the same file and
 * accept exactly that certificate (pinned, so the address they reach the daemon by need not be named in it).
 *
 * @param cert PEM file of the server certificate (and any chain after it)
 * @param key PEM file of its PKCS#8 key
 */
public record ListenerTls(Path cert, Path key) {
    private static final Set<String> KEYS = Set.of("cert", "key");

    /**
     * Reads {@code {cert: …, key: …}}.
     *
     * @throws UserError when a key is missing or unknown, or a file is not what it should be
     */
    static ListenerTls read(JsonNode node, String where) {
        ConfigMappings.checkKeys(node, where, KEYS, "{cert: /etc/overlap/overlap.crt, key: /etc/overlap/overlap.key}");
        Path cert = ConfigMappings.file(node, "cert", where);
        Path key = ConfigMappings.file(node, "key", where);
        if (cert == null || key == null) {
            throw new UserError(where + " needs both cert and key (PEM files)");
        }
        PemFiles.keyStore(cert, key, "overlap", new char[0], where);
        return new ListenerTls(cert, key);
    }

    /**
     * @return the daemon's server context: the certificate and key of the files
     * @throws UserError when the files no longer read
     */
    public SSLContext serverContext() {
        char[] password = new char[0];
        KeyStore store = PemFiles.keyStore(cert, key, "overlap", password, "metrics.tls");
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new UserError("metrics.tls: cannot serve with " + cert + " and " + key + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * @return a client context that accepts the daemon only when it presents the certificate of {@link #cert()}
     * @throws UserError when the file no longer reads
     */
    public SSLContext pinnedClientContext() {
        X509Certificate pinned = PemFiles.certificates(cert, "metrics.tls.cert").get(0);
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new Pinned(pinned)}, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no TLS context", e);
        }
    }

    /** Trusts one certificate, whatever host name it was reached by; nothing else. */
    private static final class Pinned extends X509ExtendedTrustManager {
        private final X509Certificate pinned;

        Pinned(X509Certificate pinned) {
            this.pinned = pinned;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain == null || chain.length == 0 || !chain[0].equals(pinned)) {
                throw new CertificateException("the daemon's certificate is not the one of metrics.tls.cert");
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("no client certificates");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
