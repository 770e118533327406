package dev.overlap.it;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A certificate authority the TLS tests make for themselves (BouncyCastle), and server or client
 * certificates it signs, written as PEM files: {@code ca.pem}, and per certificate {@code NAME.crt} and
 * {@code NAME.key} (PKCS#8, mode 0600 as PostgreSQL demands of a server key).
 */
final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path dir;
    private final KeyPair caKeys;
    private final X509Certificate ca;

    private TestCertificates(Path dir, KeyPair caKeys, X509Certificate ca) {
        this.dir = dir;
        this.caKeys = caKeys;
        this.ca = ca;
    }

    /**
     * @param name the CA's common name, which tells two authorities apart
     * @return a new CA whose certificate is in {@link #caFile()}
     */
    static TestCertificates authority(String name) throws IOException, GeneralSecurityException {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it-tls").toAbsolutePath()), name + "-");
        KeyPair keys = rsa();
        X500Name subject = new X500Name("CN=" + name);
        JcaX509v3CertificateBuilder builder = builder(subject, subject, keys);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        X509Certificate ca = sign(builder, keys);
        TestCertificates authority = new TestCertificates(dir, keys, ca);
        authority.writePem(dir.resolve("ca.pem"), new PemObject("CERTIFICATE", ca.getEncoded()));
        return authority;
    }

    /** @return the PEM file of the CA's certificate */
    Path caFile() {
        return dir.resolve("ca.pem");
    }

    /**
     * Issues a certificate for a server reached by the given names.
     *
     * @param name the files' name: {@code NAME.crt}, {@code NAME.key}
     * @param dnsNames host names in the subject alternative names
     * @param ipAddresses IP addresses in the subject alternative names, e.g. {@code 127.0.0.1}
     * @return the certificate file; the key is beside it ({@link #keyFile})
     */
    Path issue(String name, List<String> dnsNames, List<String> ipAddresses) throws IOException, GeneralSecurityException {
        KeyPair keys = rsa();
        JcaX509v3CertificateBuilder builder = builder(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
                new X500Name("CN=" + (dnsNames.isEmpty() ? ipAddresses.get(0) : dnsNames.get(0))), keys);
        GeneralName[] names = new GeneralName[dnsNames.size() + ipAddresses.size()];
        for (int i = 0; i < dnsNames.size(); i++) {
            names[i] = new GeneralName(GeneralName.dNSName, dnsNames.get(i));
        }
        for (int i = 0; i < ipAddresses.size(); i++) {
            names[dnsNames.size() + i] = new GeneralName(GeneralName.iPAddress, ipAddresses.get(i));
        }
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        X509Certificate certificate = sign(builder, caKeys);
        Path crt = dir.resolve(name + ".crt");
        writePem(crt, new PemObject("CERTIFICATE", certificate.getEncoded()));
        Path key = keyFile(name);
        writePem(key, new PemObject("PRIVATE KEY", keys.getPrivate().getEncoded()));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        return crt;
    }

    /** @return the PKCS#8 PEM key of a certificate {@link #issue}d under this name */
    Path keyFile(String name) {
        return dir.resolve(name + ".key");
    }

    private static KeyPair rsa() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject, keys.getPublic());
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder builder, KeyPair signer) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer.getPrivate())));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private void writePem(Path file, PemObject object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        }
        Files.writeString(file, text.toString());
    }
}
