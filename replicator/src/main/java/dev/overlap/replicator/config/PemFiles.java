package dev.overlap.replicator.config;

import dev.overlap.replicator.UserError;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/**
 * Reads the PEM files the configuration names (certificates; private keys in PKCS#8, {@code BEGIN PRIVATE KEY}) and
 * builds in-memory key stores of them. Every failure is a {@link UserError} naming the key and the file.
 */
public final class PemFiles {
    private static final String BEGIN_KEY = "-----BEGIN PRIVATE KEY-----";
    private static final String END_KEY = "-----END PRIVATE KEY-----";

    private PemFiles() {
    }

    /**
     * @param file a PEM (or DER) file of one or more certificates, the first the leaf
     * @param where names the key in a message, e.g. {@code overlap.yml: 'source.tls.ca'}
     * @return its certificates, in file order
     * @throws UserError when the file cannot be read or holds no certificate
     */
    public static List<X509Certificate> certificates(Path file, String where) {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(X509Certificate.class::cast).toList();
            if (certificates.isEmpty()) {
                throw new CertificateException("no certificate");
            }
            return certificates;
        } catch (IOException | CertificateException e) {
            throw new UserError(where + " names " + file + ", which holds no PEM certificate (BEGIN CERTIFICATE)");
        }
    }

    /**
     * @param file a PEM file of an unencrypted PKCS#8 private key (RSA, EC, Ed25519 or Ed448)
     * @param where names the key in a message
     * @return the key
     * @throws UserError when the file holds no such key, naming the openssl command that converts one
     */
    public static PrivateKey privateKey(Path file, String where) {
        byte[] der;
        try {
            String pem = Files.readString(file);
            int begin = pem.indexOf(BEGIN_KEY);
            int end = pem.indexOf(END_KEY);
            if (begin < 0 || end < begin) {
                throw new IOException("not PKCS#8");
            }
            der = Base64.getMimeDecoder().decode(pem.substring(begin + BEGIN_KEY.length(), end));
        } catch (IOException | IllegalArgumentException e) {
            throw new UserError(where + " names " + file + ", which holds no PKCS#8 PEM key (BEGIN PRIVATE KEY);"
                    + " convert it with: openssl pkcs8 -topk8 -nocrypt -in " + file.getFileName() + " -out client.key");
        }
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // the next algorithm
            }
        }
        throw new UserError(where + " names " + file + ", whose key is of no algorithm this JVM reads (RSA, EC, Ed25519, Ed448)");
    }

    /**
     * @param cert PEM file of the certificate (and any chain after it)
     * @param key PEM file of its PKCS#8 key
     * @param alias the entry's name
     * @param password the key entry's password
     * @param where names the setting in a message
     * @return a PKCS#12 key store in memory with one key entry
     * @throws UserError when a file is not what it should be
     */
    public static KeyStore keyStore(Path cert, Path key, String alias, char[] password, String where) {
        PrivateKey privateKey = privateKey(key, where + " key");
        List<X509Certificate> chain = certificates(cert, where + " cert");
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(alias, privateKey, password, chain.toArray(new Certificate[0]));
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new UserError(where + ": the key in " + key + " does not fit the certificate in " + cert);
        }
    }

    /**
     * @param ca PEM file of certificate authorities
     * @param where names the setting in a message
     * @return a PKCS#12 trust store in memory with each certificate of the file
     * @throws UserError when the file is not what it should be
     */
    public static KeyStore trustStore(Path ca, String where) {
        List<X509Certificate> certificates = certificates(ca, where);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < certificates.size(); i++) {
                store.setCertificateEntry("ca-" + i, certificates.get(i));
            }
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot build a PKCS#12 store", e);
        }
    }
}
