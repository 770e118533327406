package dev.overlap.replicator.jdbc;

import dev.overlap.replicator.UserError;
import dev.overlap.replicator.config.DatabaseKind;
import dev.overlap.replicator.config.Endpoint;
import dev.overlap.replicator.config.PemFiles;
import dev.overlap.replicator.config.Tls;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.HexFormat;
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
        return STORES.computeIfAbsent("trust:" + tls.ca().toAbsolutePath(),
                name -> write(password -> PemFiles.trustStore(tls.ca(), "tls.ca")));
    }

    /**
     * @param tls settings with a {@code cert} and {@code key}
     * @return a PKCS#12 key store of the client certificate (with any chain after it in the file) and its key,
     *         written on first use
     * @throws UserError when the files are not what they should be or the store cannot be written
     */
    public static KeyStoreFile keyStore(Tls tls) {
        return STORES.computeIfAbsent("key:" + tls.cert().toAbsolutePath() + ":" + tls.key().toAbsolutePath(),
                name -> write(password -> PemFiles.keyStore(tls.cert(), tls.key(), CLIENT_ALIAS, password, "tls")));
    }

    /** Builds a store whose entries the password protects. */
    @FunctionalInterface
    private interface Filling {
        KeyStore fill(char[] password);
    }

    private static KeyStoreFile write(Filling filling) {
        byte[] secret = new byte[24];
        RANDOM.nextBytes(secret);
        String password = HexFormat.of().formatHex(secret);
        KeyStore store = filling.fill(password.toCharArray());
        try {
            Path dir = Files.createTempDirectory("overlap-tls-", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            dir.toFile().deleteOnExit();
            Path file = Files.createTempFile(dir, "overlap-", ".p12");
            file.toFile().deleteOnExit();
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, password.toCharArray());
            }
            return new KeyStoreFile(file, password);
        } catch (GeneralSecurityException | IOException e) {
            throw new UserError("cannot write a TLS key store for the drivers into " + System.getProperty("java.io.tmpdir")
                    + " (" + e.getClass().getSimpleName() + "); check that the temporary directory is writable");
        }
    }
}
