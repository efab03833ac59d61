package org.medpki.device.est;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.est.AttrOrOID;
import org.bouncycastle.asn1.est.CsrAttrs;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.medpki.listener.ListenerLimits;

/**
 * The EST listener's settings. {@code serverIdentity}: the TLS key and certificate chain the
 * listener presents. {@code manufacturerCas}: the CAs of device manufacturers (IEEE 802.1AR
 * IDevID issuers) named in the TLS certificate request next to this PKI's own CAs, so that a
 * device picks the right certificate; they decide nothing, {@code DeviceEnrollment} does.
 * {@code csrAttributes}: what {@code /csrattrs} tells devices to put into their requests.
 * {@code workers}: the enrollment calls (database, CA) run at once; more wait in line.
 * {@code retryAfter}: what a 503 tells a device to wait. {@code listener}: deadlines and
 * connection cap, as on every public listener.
 */
public record EstConfig(String host, int port, KeyCertOptions serverIdentity, List<X509Certificate> manufacturerCas,
                        CsrAttrs csrAttributes, int workers, Duration retryAfter, ListenerLimits listener) {

    /**
     * A device key on P-256 signed with ECDSA-SHA256, and the subject serialNumber (2.5.4.5)
     * the registry fills in (RFC 7030 4.5.2).
     */
    public static final CsrAttrs DEFAULT_CSR_ATTRIBUTES = new CsrAttrs(new AttrOrOID[] {
        new AttrOrOID(BCStyle.SERIALNUMBER),
        new AttrOrOID(new Attribute(X9ObjectIdentifiers.id_ecPublicKey, new DERSet(SECObjectIdentifiers.secp256r1))),
        new AttrOrOID(X9ObjectIdentifiers.ecdsa_with_SHA256)});

    public EstConfig {
        Objects.requireNonNull(host, "est host");
        Objects.requireNonNull(serverIdentity, "est TLS key and certificate");
        manufacturerCas = List.copyOf(Objects.requireNonNull(manufacturerCas, "est manufacturer CAs"));
        Objects.requireNonNull(csrAttributes, "est CSR attributes");
        Objects.requireNonNull(retryAfter, "est retryAfter");
        Objects.requireNonNull(listener, "est listener limits");
        require(port >= 0 && port <= 65535, "est.port must be between 0 and 65535");
        require(workers >= 1 && workers <= 256, "est.workers must be between 1 and 256");
        require(retryAfter.compareTo(Duration.ofSeconds(1)) >= 0 && retryAfter.compareTo(Duration.ofHours(1)) <= 0,
                "est.retryAfter must be between 1 second and 1 hour");
    }

    /**
     * The defaults around a TLS key and chain in PEM: the default CSR attributes, 8 workers, a
     * retry after 30 seconds, {@link ListenerLimits#DEFAULTS}.
     */
    public static EstConfig of(String host, int port, String keyPem, String chainPem,
                               List<X509Certificate> manufacturerCas) {
        return new EstConfig(host, port, new PemKeyCertOptions().addKeyValue(Buffer.buffer(keyPem))
                .addCertValue(Buffer.buffer(chainPem)), manufacturerCas, DEFAULT_CSR_ATTRIBUTES, 8,
                Duration.ofSeconds(30), ListenerLimits.DEFAULTS);
    }

    /** The same settings with other listener limits. */
    public EstConfig withListener(ListenerLimits limits) {
        return new EstConfig(host, port, serverIdentity, manufacturerCas, csrAttributes, workers, retryAfter, limits);
    }

    /** The same settings with other CSR attributes. */
    public EstConfig withCsrAttributes(CsrAttrs attributes) {
        return new EstConfig(host, port, serverIdentity, manufacturerCas, attributes, workers, retryAfter, listener);
    }

    byte[] csrAttributesDer() {
        try {
            return csrAttributes.getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
