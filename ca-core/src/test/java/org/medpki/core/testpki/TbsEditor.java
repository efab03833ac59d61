package org.medpki.core.testpki;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.function.Consumer;

import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.asn1.x509.V3TBSCertificateGenerator;

/** Makes deliberately broken copies of a TBSCertificate for linter tests. */
public final class TbsEditor {
    private final V3TBSCertificateGenerator g = new V3TBSCertificateGenerator();
    private final List<Extension> extensions = new ArrayList<>();

    private TbsEditor(TBSCertificate tbs) {
        g.setSerialNumber(tbs.getSerialNumber());
        g.setSignature(tbs.getSignature());
        g.setIssuer(tbs.getIssuer());
        g.setStartDate(tbs.getStartDate());
        g.setEndDate(tbs.getEndDate());
        g.setSubject(tbs.getSubject());
        g.setSubjectPublicKeyInfo(tbs.getSubjectPublicKeyInfo());
        for (ASN1ObjectIdentifier oid : tbs.getExtensions().getExtensionOIDs()) {
            extensions.add(tbs.getExtensions().getExtension(oid));
        }
    }

    public static TBSCertificate edit(TBSCertificate tbs, Consumer<TbsEditor> change) {
        TbsEditor e = new TbsEditor(tbs);
        change.accept(e);
        e.g.setExtensions(new Extensions(e.extensions.toArray(Extension[]::new)));
        return e.g.generateTBSCertificate();
    }

    public TbsEditor remove(ASN1ObjectIdentifier oid) {
        extensions.removeIf(x -> x.getExtnId().equals(oid));
        return this;
    }

    public TbsEditor replace(ASN1ObjectIdentifier oid, boolean critical, org.bouncycastle.asn1.ASN1Encodable value) {
        try {
            Extension ext = new Extension(oid, critical, value.toASN1Primitive().getEncoded());
            for (int i = 0; i < extensions.size(); i++) {
                if (extensions.get(i).getExtnId().equals(oid)) {
                    extensions.set(i, ext);
                    return this;
                }
            }
            extensions.add(ext);
            return this;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public TbsEditor notAfter(Instant t) {
        g.setEndDate(new Time(Date.from(t)));
        return this;
    }

    public TbsEditor serial(BigInteger s) {
        g.setSerialNumber(new ASN1Integer(s));
        return this;
    }

    public TbsEditor signature(AlgorithmIdentifier alg) {
        g.setSignature(alg);
        return this;
    }

    public TbsEditor issuer(X500Name name) {
        g.setIssuer(name);
        return this;
    }
}
