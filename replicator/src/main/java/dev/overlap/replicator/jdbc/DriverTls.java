package dev.overlap.replicator.jdbc;

import dev.overlap.replicator.UserError;
import dev.overlap.replicator.config.DatabaseKind;
import dev.overlap.replicator.config.Endpoint;
import dev.overlap.replicator.config.Tls;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One side's {@link Tls} settings in the terms of each JDBC driver, and the key stores that drivers reading no
 * PEM files need. The drivers' own names and values (pgjdbc's {@code sslmode}/{@code sslrootcert}, MySQL
 * Connector/J's {@code sslMode}/{@code trustCertificateKeyStoreUrl}, MariaDB Connector/J's
 * {@code sslMode}/{@code serverSslCert}) are from their reference documentation.
 *
 * <p>Key stores are PKCS#12 files written once per process into a directory only its owner can read, with a
 * random password, and deleted when the JVM exits; they hold certificates and the client key, both of which the
 * operator's PEM files already hold.
 */
public final class DriverTls {
    private static final Map<String, KeyStoreFile> STORES = new ConcurrentHashMap<>();
    private static final SecureRandom RANDOM = new SecureRandom();
    /** pgjdbc's PKCS#12 key manager takes the client key and certificate of this alias only; the others take any. */
    private static final String CLIENT_ALIAS = "user";

    private DriverTls() {
    }

    /**
     * A PKCS#12 key store on disk.
     *
     * @param path the file, ending in {@code .p12}
     * @param password its password
     */
    public record KeyStoreFile(Path path, String password) {
        @Override
        public String toString() {
            return path.toString();
        }
    }

    /**
     * Adds the endpoint's TLS settings to a driver's connection properties; nothing when it has none.
     *
     * @param endpoint the database, whose kind names the driver
     * @param props the driver's properties, changed in place
     * @throws UserError when a key store cannot be written from the PEM files
     */
    public static void addTo(Endpoint endpoint, Properties props) {
        Tls tls = endpoint.tls();
        if (tls == null) {
            return;
        }
        switch (endpoint.kind()) {
            case POSTGRESQL -> postgres(tls, props);
            case MYSQL -> mysql(tls, props);
            case MARIADB -> mariadb(tls, props);
        }
    }

    private static void postgres(Tls tls, Properties props) {
        props.setProperty("sslmode", tls.mode().text());
        if (tls.mode() == Tls.Mode.DISABLE) {
            return;
        }
        if (tls.ca() != null) {
            props.setProperty("sslrootcert", tls.ca().toString());
        } else if (tls.mode().verifies()) {
            // without a CA file, the JVM's trust store, not libpq's ~/.postgresql/root.crt
            props.setProperty("sslfactory", "org.postgresql.ssl.DefaultJavaSSLFactory");
        }
        if (tls.cert() != null) {
            // pgjdbc reads a PKCS#8 key only as DER; a PKCS#12 file carries the certificate and the key
            KeyStoreFile keys = keyStore(tls);
            props.setProperty("sslkey", keys.path().toString());
            props.setProperty("sslpassword", keys.password());
        }
    }

    private static void mysql(Tls tls, Properties props) {
        props.setProperty("sslMode", switch (tls.mode()) {
            case DISABLE -> "DISABLED";
            case REQUIRE -> "REQUIRED";
            case VERIFY_CA -> "VERIFY_CA";
            case VERIFY_FULL -> "VERIFY_IDENTITY";
        });
        if (tls.ca() != null && tls.mode().verifies()) {
            KeyStoreFile trust = trustStore(tls);
            props.setProperty("trustCertificateKeyStoreUrl", trust.path().toUri().toString());
            props.setProperty("trustCertificateKeyStoreType", "PKCS12");
            props.setProperty("trustCertificateKeyStorePassword", trust.password());
        }
        if (tls.cert() != null) {
            KeyStoreFile keys = keyStore(tls);
            props.setProperty("clientCertificateKeyStoreUrl", keys.path().toUri().toString());
            props.setProperty("clientCertificateKeyStoreType", "PKCS12");
            props.setProperty("clientCertificateKeyStorePassword", keys.password());
        }
    }

    private static void mariadb(Tls tls, Properties props) {
        props.setProperty("sslMode", switch (tls.mode()) {
            case DISABLE -> "disable";
            case REQUIRE -> "trust";
            case VERIFY_CA -> "verify-ca";
            case VERIFY_FULL -> "verify-full";
        });
        if (tls.ca() != null && tls.mode().verifies()) {
            props.setProperty("serverSslCert", tls.ca().toString());
            props.setProperty("tlsSocketType", MariaDbStrictCaPlugin.TYPE);
        }
        if (tls.cert() != null) {
            KeyStoreFile keys = keyStore(tls);
            props.setProperty("keyStore", keys.path().toString());
            props.setProperty("keyStoreType", "PKCS12");
            props.setProperty("keyStorePassword", keys.password());
        }
    }

    /**
     * @param tls settings with a {@code ca}
     * @return a PKCS#12 trust store of the CA file's certificates, written on first use
     * @throws UserError when it cannot be written
     */
    public static KeyStoreFile trustStore(Tls tls) {
        return STORES.computeIfAbsent("trust:" + tls.ca().toAbsolutePath(), name -> write((store, password) -> {
            List<? extends Certificate> certificates = certificates(tls.ca());
            for (int i = 0; i < certificates.size(); i++) {
                store.setCertificateEntry("ca-" + i, certificates.get(i));
            }
        }));
    }

    /**
     * @param tls settings with a {@code cert} and {@code key}
     * @return a PKCS#12 key store of the client certificate (with any chain after it in the file) and its key,
     *         written on first use
     * @throws UserError when the key is of no known algorithm or the store cannot be written
     */
    public static KeyStoreFile keyStore(Tls tls) {
        return STORES.computeIfAbsent("key:" + tls.cert().toAbsolutePath() + ":" + tls.key().toAbsolutePath(), name -> {
            PrivateKey key = privateKey(tls.key());
            return write((store, password) -> store.setKeyEntry(CLIENT_ALIAS, key, password,
                    certificates(tls.cert()).toArray(new Certificate[0])));
        });
    }

    /** Fills a new PKCS#12 store. */
    @FunctionalInterface
    private interface Filling {
        void fill(KeyStore store, char[] password) throws GeneralSecurityException, IOException;
    }

    private static KeyStoreFile write(Filling filling) {
        byte[] secret = new byte[24];
        RANDOM.nextBytes(secret);
        String password = HexFormat.of().formatHex(secret);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            filling.fill(store, password.toCharArray());
            Path file = Files.createTempFile(directory(), "overlap-", ".p12");
            file.toFile().deleteOnExit();
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, password.toCharArray());
            }
            return new KeyStoreFile(file, password);
        } catch (GeneralSecurityException | IOException e) {
            throw new UserError("cannot write a TLS key store from the PEM files (" + e.getClass().getSimpleName()
                    + "); check the tls settings' files");
        }
    }

    private static Path directory() throws IOException {
        Path dir = Files.createTempDirectory("overlap-tls-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        dir.toFile().deleteOnExit();
        return dir;
    }

    private static List<? extends Certificate> certificates(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private static PrivateKey privateKey(Path file) {
        byte[] der;
        try {
            String pem = Files.readString(file);
            int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
            int end = pem.indexOf("-----END PRIVATE KEY-----");
            der = Base64.getMimeDecoder().decode(pem.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw new UserError(file + " holds no PKCS#8 PEM key (BEGIN PRIVATE KEY)");
        }
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new UserError(file + " holds a private key of no algorithm this JVM reads (RSA, EC, Ed25519, Ed448)");
    }
}
