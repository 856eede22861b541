package io.shatter.slurm.join;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.FingerprintTrustManagerFactory;
import io.shatter.slurm.SlurmException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.SSLException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;

/**
 * TLS 1.3 for the join channel. The broker makes a key pair and a self-signed certificate per run
 * (the key never leaves its memory) and writes the certificate's SHA-256 fingerprint beside the
 * token ({@code RUN_DIR/join.fingerprint}, 0600). A worker trusts exactly the certificate with that
 * fingerprint: no certificate authority, no host name check, and a broker of another run (or a
 * man in the middle) is refused during the handshake, before the token is sent.
 */
public final class JoinTls {
    /** The file name inside the run directory. */
    public static final String FINGERPRINT_FILE = "join.fingerprint";
    private static final String[] PROTOCOLS = {"TLSv1.3"};

    private JoinTls() {
    }

    /** The broker's half: its key and certificate, and the fingerprint workers pin. */
    public record ServerIdentity(SslContext context, String fingerprint) {
    }

    /**
     * A fresh P-256 key and a self-signed certificate valid for {@code validity}; its fingerprint
     * is written to {@code fingerprintFile} (0600, replacing an earlier run's).
     */
    public static ServerIdentity createServer(Path fingerprintFile, Duration validity) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair keys = generator.generateKeyPair();
            X500Name subject = new X500Name("CN=shatter-broker");
            Instant now = Instant.now();
            // A day back: a worker node whose clock lags must not find the certificate not yet valid.
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, new SecureRandom()),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(validity)), subject, keys.getPublic());
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
            String fingerprint = fingerprint(certificate);
            JoinToken.writePrivate(fingerprintFile, (fingerprint + "\n").getBytes(StandardCharsets.US_ASCII),
                    "the join certificate fingerprint");
            SslContext context = SslContextBuilder.forServer(keys.getPrivate(), certificate)
                    .sslProvider(SslProvider.JDK).protocols(PROTOCOLS).build();
            return new ServerIdentity(context, fingerprint);
        } catch (GeneralSecurityException | OperatorCreationException | SSLException e) {
            throw new SlurmException("cannot make the join channel's TLS certificate: " + e.getMessage()
                    + "; this Java must support EC keys and TLS 1.3 (Java 17 does)", e);
        }
    }

    /** The worker's half: trusts only the certificate whose SHA-256 fingerprint is {@code fingerprint}. */
    public static SslContext client(String fingerprint) {
        try {
            return SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols(PROTOCOLS)
                    .trustManager(FingerprintTrustManagerFactory.builder("SHA-256").fingerprints(fingerprint).build())
                    .endpointIdentificationAlgorithm(null) // identity is the pinned fingerprint, not a host name
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new SlurmException("cannot set up TLS for joining: " + e.getMessage(), e);
        }
    }

    /** The fingerprint in {@code file} (64 hex digits), refusing a file others may read or write. */
    public static String readFingerprint(Path file) {
        String text = JoinToken.readPrivate(file, "the join certificate fingerprint", 4096);
        if (!text.matches("[0-9a-f]{64}")) {
            throw new SlurmException("the join certificate fingerprint " + file + " is not 64 hex digits; it must be the file the"
                    + " broker wrote (RUN_DIR/" + FINGERPRINT_FILE + ")");
        }
        return text;
    }

    static String fingerprint(X509Certificate certificate) throws GeneralSecurityException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    }
}
