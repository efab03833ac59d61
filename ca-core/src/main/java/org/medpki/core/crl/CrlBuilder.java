package org.medpki.core.crl;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.security.Provider;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.ContentVerifier;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.template.KeyIdentifiers;

/**
 * Builds one X.509 v2 CRL (RFC 5280 5.1): entries are added one at a time in ascending serial
 * order and DER-encoded at once into a single buffer, so a million entries are held once, as
 * bytes. {@link #sign} then assembles the TBSCertList around them, lints it with
 * {@link CrlLinter} (streaming), has the signer (the CA key in the HSM through
 * {@link org.medpki.core.signing.HsmContentSigner}) sign it, checks the signature against the
 * issuer's public key, and joins CertificateList = SEQUENCE {tbs, algorithm, signature}.
 * Single use, not thread-safe.
 */
public final class CrlBuilder {
    private static final Provider BC = new BouncyCastleProvider();

    private final CrlTemplate template;
    private final CrlDer.Buffer entries = new CrlDer.Buffer(1 << 12);
    private final CrlLinter linter = new CrlLinter();
    private long count;
    private boolean signed;

    public CrlBuilder(CrlTemplate template) {
        this.template = Objects.requireNonNull(template, "template");
    }

    public void add(RevokedEntry entry) {
        if (signed) {
            throw new IllegalStateException("the CRL is already signed");
        }
        CrlDer.entry(entries, entry);
        count++;
    }

    public long entries() {
        return count;
    }

    /** Lints, signs, verifies and returns the CRL; LINT_FAILED or INTERNAL when it must not be published. */
    public SignedCrl sign(ContentSigner signer, Instant now) {
        if (signed) {
            throw new IllegalStateException("the CRL is already signed");
        }
        signed = true;
        if (!signer.getAlgorithmIdentifier().equals(template.issuer().signatureAlgorithm())) {
            throw new PkiException(ErrorKind.INTERNAL, "the signer's algorithm is not the issuer's");
        }
        int headLength = header().length;
        byte[] tail = der(new DERTaggedObject(true, 0, extensions()));
        int entriesLength = entries.size();
        int bodyLength = headLength + (count > 0 ? CrlDer.headerLength(entriesLength) + entriesLength : 0) + tail.length;
        byte[] prefix = prefix(bodyLength, entriesLength);

        linter.check(tbsStream(prefix, tail), template, count, now);

        byte[] signature;
        try (OutputStream out = signer.getOutputStream()) {
            writeTbs(out, prefix, tail);
            signature = signer.getSignature();
        } catch (IOException e) {
            throw new PkiException(ErrorKind.INTERNAL, "cannot feed the CRL to the signer", e);
        }
        verify(prefix, tail, signature);

        byte[] algorithm = der(template.issuer().signatureAlgorithm());
        int tbsLength = prefix.length + (count > 0 ? entriesLength : 0) + tail.length;
        int sigLength = 1 + signature.length;
        int listLength = tbsLength + algorithm.length + CrlDer.headerLength(sigLength) + sigLength;
        CrlDer.Buffer out = new CrlDer.Buffer(CrlDer.headerLength(listLength) + listLength);
        CrlDer.header(out, 0x30, listLength);
        try {
            writeTbs(out, prefix, tail);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        out.write(algorithm, 0, algorithm.length);
        CrlDer.header(out, 0x03, sigLength);
        out.write(0);
        out.write(signature, 0, signature.length);
        entries.reset();
        return new SignedCrl(out.array().length == out.size() ? out.array() : out.toByteArray(), template.number(),
                template.thisUpdate(), template.nextUpdate(), count);
    }

    /** version, signature, issuer, thisUpdate, nextUpdate. */
    private byte[] header() {
        CrlDer.Buffer b = new CrlDer.Buffer(256);
        write(b, der(new ASN1Integer(1)));
        write(b, der(template.issuer().signatureAlgorithm()));
        write(b, der(template.issuer().certificate().getSubject()));
        write(b, CrlDer.time(template.thisUpdate(), false));
        write(b, CrlDer.time(template.nextUpdate(), false));
        return b.toByteArray();
    }

    /** SEQUENCE header of the TBSCertList, the fixed fields, and the header of the entry list. */
    private byte[] prefix(int bodyLength, int entriesLength) {
        byte[] head = header();
        CrlDer.Buffer b = new CrlDer.Buffer(head.length + 16);
        CrlDer.header(b, 0x30, bodyLength);
        write(b, head);
        if (count > 0) {
            CrlDer.header(b, 0x30, entriesLength);
        }
        return b.toByteArray();
    }

    private void writeTbs(OutputStream out, byte[] prefix, byte[] tail) throws IOException {
        out.write(prefix);
        if (count > 0) {
            entries.writeTo(out);
        }
        out.write(tail);
    }

    private InputStream tbsStream(byte[] prefix, byte[] tail) {
        List<InputStream> parts = count > 0
                ? List.of(new ByteArrayInputStream(prefix), new ByteArrayInputStream(entries.array(), 0, entries.size()),
                        new ByteArrayInputStream(tail))
                : List.of(new ByteArrayInputStream(prefix), new ByteArrayInputStream(tail));
        return new SequenceInputStream(Collections.enumeration(parts));
    }

    private ASN1Encodable extensions() {
        ExtensionsGenerator g = new ExtensionsGenerator();
        try {
            g.addExtension(Extension.authorityKeyIdentifier, false,
                    new AuthorityKeyIdentifier(KeyIdentifiers.ofIssuer(template.issuer().certificate())));
            g.addExtension(Extension.cRLNumber, false, new CRLNumber(template.number()));
            if (template.kind() == CrlKind.DELTA) {
                g.addExtension(Extension.deltaCRLIndicator, true, new CRLNumber(template.baseNumber()));
            }
            if (template.distributionPoint() != null) {
                g.addExtension(Extension.issuingDistributionPoint, true, new IssuingDistributionPoint(
                        name(template.distributionPoint()), false, false, null, false, false));
            }
            if (template.freshestCrl() != null) {
                g.addExtension(Extension.freshestCRL, false, new CRLDistPoint(new DistributionPoint[] {
                    new DistributionPoint(name(template.freshestCrl()), null, null)}));
            }
        } catch (IOException e) {
            throw new PkiException(ErrorKind.INTERNAL, "cannot encode a CRL extension", e);
        }
        return g.generate();
    }

    private static DistributionPointName name(String url) {
        return new DistributionPointName(new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, url)));
    }

    private void verify(byte[] prefix, byte[] tail, byte[] signature) {
        boolean ok;
        try {
            ContentVerifier verifier = new JcaContentVerifierProviderBuilder().setProvider(BC)
                    .build(template.issuer().certificate()).get(template.issuer().signatureAlgorithm());
            try (OutputStream out = verifier.getOutputStream()) {
                writeTbs(out, prefix, tail);
            }
            ok = verifier.verify(signature);
        } catch (Exception e) {
            ok = false;
        }
        if (!ok) {
            throw new PkiException(ErrorKind.INTERNAL, "the token returned a CRL signature that does not verify under "
                    + "the key of " + template.issuer().name());
        }
    }

    private static void write(CrlDer.Buffer b, byte[] bytes) {
        b.write(bytes, 0, bytes.length);
    }

    private static byte[] der(ASN1Encodable value) {
        try {
            return value.toASN1Primitive().getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new PkiException(ErrorKind.INTERNAL, "cannot encode " + value.getClass().getSimpleName(), e);
        }
    }
}
