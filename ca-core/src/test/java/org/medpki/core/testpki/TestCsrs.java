package org.medpki.core.testpki;

import java.io.IOException;
import java.io.StringWriter;
import java.security.KeyPair;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Builds PKCS#10 requests with software keys, the way clients do. */
public final class TestCsrs {
    private TestCsrs() {
    }

    public static GeneralName dns(String name) {
        return new GeneralName(GeneralName.dNSName, name);
    }

    public static GeneralName ip(String address) {
        return new GeneralName(GeneralName.iPAddress, address);
    }

    public static GeneralName email(String address) {
        return new GeneralName(GeneralName.rfc822Name, address);
    }

    public static GeneralName uri(String uri) {
        return new GeneralName(GeneralName.uniformResourceIdentifier, uri);
    }

    public static String defaultSignature(KeyPair kp) {
        return switch (kp.getPublic().getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            default -> "Ed25519";
        };
    }

    public static byte[] der(KeyPair kp, String subject, List<GeneralName> sans) {
        return der(kp, subject, sans, defaultSignature(kp), false);
    }

    public static byte[] der(KeyPair kp, String subject, List<GeneralName> sans, String signatureAlgorithm, boolean askForCa) {
        return build(kp, subject, sans, signatureAlgorithm, askForCa).getEncoded2();
    }

    public static byte[] pem(KeyPair kp, String subject, List<GeneralName> sans) {
        var csr = build(kp, subject, sans, defaultSignature(kp), false).csr;
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(csr);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return w.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private record Built(PKCS10CertificationRequest csr) {
        byte[] getEncoded2() {
            try {
                return csr.getEncoded();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static Built build(KeyPair kp, String subject, List<GeneralName> sans, String signatureAlgorithm, boolean askForCa) {
        try {
            var b = new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), kp.getPublic());
            ExtensionsGenerator ext = new ExtensionsGenerator();
            if (!sans.isEmpty()) {
                ext.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
            }
            if (askForCa) {
                ext.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            }
            // An extension the CA ignores: clients often ask for keyUsage themselves.
            ext.addExtension(Extension.keyUsage, true, new org.bouncycastle.asn1.x509.KeyUsage(
                    org.bouncycastle.asn1.x509.KeyUsage.digitalSignature));
            b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
            return new Built(b.build(new JcaContentSignerBuilder(signatureAlgorithm).setProvider(TestKeys.BC).build(kp.getPrivate())));
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }
}
