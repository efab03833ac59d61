package org.medpki.core.pem;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/** PEM text for certificates, as the CLI prints them and the services serve them. */
public final class Pem {
    private Pem() {
    }

    public static String certificates(List<X509CertificateHolder> certificates) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (X509CertificateHolder c : certificates) {
                writer.writeObject(c);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    public static String certificate(X509CertificateHolder certificate) {
        return certificates(List.of(certificate));
    }
}
