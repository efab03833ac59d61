package org.medpki.core.issuance;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.cert.X509CertificateHolder;
import org.medpki.core.pem.Pem;

/**
 * A certificate that is signed, checked and recorded, with the chain above it: the leaf first,
 * then each CA certificate up to, but not including, the root.
 */
public record IssuedCertificate(BigInteger serial, String profile, String issuer,
                                X509CertificateHolder certificate, List<X509CertificateHolder> chain) {
    public IssuedCertificate {
        chain = List.copyOf(chain);
    }

    /** Leaf then chain, as one PEM text. */
    public String pemChain() {
        List<X509CertificateHolder> all = new ArrayList<>();
        all.add(certificate);
        all.addAll(chain);
        return Pem.certificates(all);
    }

}
