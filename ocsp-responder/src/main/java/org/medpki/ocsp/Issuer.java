package org.medpki.ocsp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.CertID;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.cert.X509CertificateHolder;
import org.medpki.core.hierarchy.CaCertificate;

/**
 * An issuing CA the responder answers for, with its delegated OCSP signer and the CertID hashes
 * (issuerNameHash over the DER subject, issuerKeyHash over the public key bits, RFC 6960 4.1.1)
 * for each supported hash algorithm.
 */
public record Issuer(CaCertificate ca, CaCertificate signer, Map<CertIdHash, byte[]> nameHashes,
                     Map<CertIdHash, byte[]> keyHashes, X509CertificateHolder[] signerChain) {

    public Issuer {
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(signer, "signer");
    }

    public static Issuer of(CaCertificate ca, CaCertificate signer) {
        Map<CertIdHash, byte[]> names = new EnumMap<>(CertIdHash.class);
        Map<CertIdHash, byte[]> keys = new EnumMap<>(CertIdHash.class);
        try {
            byte[] subject = ca.certificate().getSubject().getEncoded("DER");
            byte[] keyBits = ca.certificate().getSubjectPublicKeyInfo().getPublicKeyData().getBytes();
            for (CertIdHash h : CertIdHash.values()) {
                names.put(h, h.digest(subject));
                keys.put(h, h.digest(keyBits));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the subject of " + ca.name(), e);
        }
        return new Issuer(ca, signer, names, keys, new X509CertificateHolder[] {signer.certificate()});
    }

    public long caId() {
        return ca.record().id();
    }

    public long signerId() {
        return signer.record().id();
    }

    public String name() {
        return ca.name();
    }

    /** The CertID this responder puts in a response for {@code serial} under this CA. */
    public CertID certId(CertIdHash hash, BigInteger serial) {
        return new CertID(hash.algorithmIdentifier(), new DEROctetString(nameHashes.get(hash)),
                new DEROctetString(keyHashes.get(hash)), new ASN1Integer(serial));
    }
}
