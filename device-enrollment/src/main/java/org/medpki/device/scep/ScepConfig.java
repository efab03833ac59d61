package org.medpki.device.scep;

import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Objects;
import org.medpki.listener.ListenerLimits;

/**
 * The SCEP listener's settings. {@code raCertificate} / {@code raKey}: the registration authority
 * identity that decrypts requests and signs replies; RSA only, because SCEP encrypts the request
 * to it with RSA key transport. {@code raProvider}: the JCA provider holding {@code raKey} (a
 * SunPKCS11 instance when the key is in the HSM), null for a key the default providers can use.
 * {@code maxBodyBytes}: the largest PKIOperation accepted; {@code transactionTtl} and
 * {@code maxTransactions}: how long and how many issued answers are kept for a retransmitted
 * request or a CertPoll. {@code acceptLegacyAlgorithms}: also accept requests signed with SHA-1
 * digests and encrypted with DES or DES-EDE3 (never offered in GetCACaps; replies stay AES and
 * SHA-256), for clients that ignore the capabilities, such as micromdm's scepclient 2.x. Off by
 * default: single DES protects the challenge password for 2^56 work.
 */
public record ScepConfig(String host, int port, ListenerLimits listener, X509Certificate raCertificate,
                         PrivateKey raKey, Provider raProvider, int maxBodyBytes, Duration transactionTtl,
                         int maxTransactions, boolean acceptLegacyAlgorithms) {

    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;
    public static final Duration DEFAULT_TRANSACTION_TTL = Duration.ofMinutes(30);
    public static final int DEFAULT_MAX_TRANSACTIONS = 10_000;

    public ScepConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(raCertificate, "raCertificate");
        Objects.requireNonNull(raKey, "raKey");
        Objects.requireNonNull(transactionTtl, "transactionTtl");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, not " + port);
        }
        if (!(raCertificate.getPublicKey() instanceof RSAPublicKey)) {
            throw new IllegalArgumentException("the SCEP RA certificate must hold an RSA key (SCEP key transport)");
        }
        if (!"RSA".equalsIgnoreCase(raKey.getAlgorithm())) {
            throw new IllegalArgumentException("the SCEP RA key must be an RSA key, not " + raKey.getAlgorithm());
        }
        if (maxBodyBytes < 1024 || maxBodyBytes > 1024 * 1024) {
            throw new IllegalArgumentException("maxBodyBytes must be between 1 KiB and 1 MiB, not " + maxBodyBytes);
        }
        if (transactionTtl.isNegative() || transactionTtl.isZero() || transactionTtl.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("transactionTtl must be between 1 ms and 7 days, not " + transactionTtl);
        }
        if (maxTransactions < 1 || maxTransactions > 1_000_000) {
            throw new IllegalArgumentException("maxTransactions must be between 1 and 1000000, not " + maxTransactions);
        }
    }

    /** The defaults for everything but the address and the RA identity. */
    public static ScepConfig of(String host, int port, X509Certificate raCertificate, PrivateKey raKey,
                                Provider raProvider) {
        return new ScepConfig(host, port, ListenerLimits.DEFAULTS, raCertificate, raKey, raProvider,
                DEFAULT_MAX_BODY_BYTES, DEFAULT_TRANSACTION_TTL, DEFAULT_MAX_TRANSACTIONS, false);
    }

    public ScepConfig withLegacyAlgorithms(boolean accept) {
        return new ScepConfig(host, port, listener, raCertificate, raKey, raProvider, maxBodyBytes, transactionTtl,
                maxTransactions, accept);
    }
}
