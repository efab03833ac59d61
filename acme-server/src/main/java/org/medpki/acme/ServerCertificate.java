package org.medpki.acme;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.GeneralSecurityException;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.issuance.IssuedCertificate;

/**
 * The ACME server's own TLS certificate, issued by our CA under the tls-server profile for the
 * server's public name. Its key is a software key (it protects the transport, not the CA) kept
 * with the chain in the state directory; a new one is issued when it is missing, names another
 * host, or has less than a third of its life left.
 */
public final class ServerCertificate {
    private final String keyPem;
    private final String chainPem;

    private ServerCertificate(String keyPem, String chainPem) {
        this.keyPem = keyPem;
        this.chainPem = chainPem;
    }

    public String keyPem() {
        return keyPem;
    }

    public String chainPem() {
        return chainPem;
    }

    public static ServerCertificate loadOrIssue(Path dir, String host, String profile, CertificateAuthority ca, Clock clock) {
        Path key = dir.resolve("acme-server.key");
        Path chain = dir.resolve("acme-server.pem");
        try {
            if (Files.exists(key) && Files.exists(chain) && current(Files.readString(chain), host, clock)) {
                return new ServerCertificate(Files.readString(key), Files.readString(chain));
            }
            Files.createDirectories(dir);
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = g.generateKeyPair();
            ExtensionsGenerator ext = new ExtensionsGenerator();
            ext.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, host)));
            byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name(""), pair.getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())).getEncoded();
            IssuedCertificate issued = ca.issue(profile, csr, "acme:server",
                    List.of(new GeneralName(GeneralName.dNSName, host)));
            String keyPem = "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pair.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
            Path tmp = dir.resolve("acme-server.key.tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, keyPem);
            Files.move(tmp, key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(chain, issued.pemChain());
            return new ServerCertificate(keyPem, issued.pemChain());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the ACME server certificate in " + dir, e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new PkiException(ErrorKind.INTERNAL, "cannot make the ACME server key", e);
        }
    }

    private static boolean current(String chainPem, String host, Clock clock) {
        try (PEMParser p = new PEMParser(new StringReader(chainPem))) {
            if (!(p.readObject() instanceof X509CertificateHolder leaf)) {
                return false;
            }
            var notBefore = leaf.getNotBefore().toInstant();
            var notAfter = leaf.getNotAfter().toInstant();
            Duration life = Duration.between(notBefore, notAfter);
            if (clock.instant().isAfter(notAfter.minus(life.dividedBy(3)))) {
                return false;
            }
            GeneralNames sans = GeneralNames.fromExtensions(leaf.getExtensions(), Extension.subjectAlternativeName);
            return sans != null && sans.getNames().length == 1
                    && sans.getNames()[0].equals(new GeneralName(GeneralName.dNSName, host));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
