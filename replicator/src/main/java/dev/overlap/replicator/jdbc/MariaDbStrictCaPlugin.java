package dev.overlap.replicator.jdbc;

import dev.overlap.replicator.UserError;
import dev.overlap.replicator.config.PemFiles;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.sql.SQLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.mariadb.jdbc.Configuration;
import org.mariadb.jdbc.HostAddress;
import org.mariadb.jdbc.export.ExceptionFactory;
import org.mariadb.jdbc.plugin.tls.main.DefaultTlsSocketPlugin;

/**
 * MariaDB Connector/J's TLS plugin ({@code tlsSocketType=overlap-strict-ca}, found by {@link java.util.ServiceLoader})
 * that checks the server's certificate against the CA of {@code serverSslCert} and nothing else.
 *
 * <p>The driver's own plugin accepts a certificate its CA does not sign when the server proves, during a password
 * login, that it knows the password's hash (MariaDB 11.4's self-signed certificate check, connector source
 * {@code MariaDbX509EphemeralTrustingManager}). Debezium's binlog client has no such check and refuses that
 * server, so a pipeline whose {@code tls.ca} is wrong would start and then fail in the stream. With this plugin
 * both refuse it at start. Client certificates and the host name check stay the driver's.
 */
public final class MariaDbStrictCaPlugin extends DefaultTlsSocketPlugin {
    /** The {@code tlsSocketType} that selects this plugin. */
    public static final String TYPE = "overlap-strict-ca";

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * @return the JDK's PKIX trust manager over the certificates of {@code serverSslCert} (a PEM file's path), or the
     *         driver's choice when none is configured
     * @throws SQLException (SQLState 08000) when the file cannot be read or holds no certificate
     */
    @Override
    public TrustManager[] getTrustManager(Configuration conf, ExceptionFactory exceptionFactory, HostAddress hostAddress)
            throws SQLException {
        if (conf.serverSslCert() == null) {
            return super.getTrustManager(conf, exceptionFactory, hostAddress);
        }
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(PemFiles.trustStore(Path.of(conf.serverSslCert()), "tls.ca"));
            return factory.getTrustManagers();
        } catch (GeneralSecurityException | UserError e) {
            throw new SQLException("cannot read the CA file of serverSslCert (" + e.getClass().getSimpleName() + ")", "08000", e);
        }
    }
}
