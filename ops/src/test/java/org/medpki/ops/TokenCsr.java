package org.medpki.ops;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.medpki.core.keys.KeyAlgorithm;
import org.medpki.core.keys.KeyPairInfo;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.signing.HsmContentSigner;
import org.medpki.hsm.PinSource;
import org.medpki.hsm.Pkcs11SigningKeys;
import org.medpki.hsm.TokenConfig;

/**
 * An administrator's smart card, as a test makes one: generates an EC P-256 key on a token and
 * writes a CSR signed by it (the key never leaves the token). Runs in a JVM of its own, since
 * SoftHSM2 reads SOFTHSM2_CONF once per process. Arguments: MODULE TOKEN-LABEL KEY-LABEL CN OUT;
 * the PIN from PKI_ADMIN_PIN. Prints the key's CKA_ID in hex, under which the certificate goes.
 */
final class TokenCsr {
    private TokenCsr() {
    }

    public static void main(String[] args) throws Exception {
        try (Pkcs11SigningKeys keys = new Pkcs11SigningKeys(new TokenConfig(args[0], args[1],
                new PinSource.Environment("PKI_ADMIN_PIN")))) {
            KeyPairInfo key = keys.generate(KeyAlgorithm.EC_P256, args[2]);
            PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + args[3]),
                    key.publicKey()).build(new HsmContentSigner(keys, args[2], SignatureAlgorithm.ECDSA_SHA256));
            StringWriter pem = new StringWriter();
            try (JcaPEMWriter w = new JcaPEMWriter(pem)) {
                w.writeObject(csr);
            }
            Files.writeString(Path.of(args[4]), pem.toString());
            System.out.println(HexFormat.of().formatHex(key.id()));
        }
    }
}
