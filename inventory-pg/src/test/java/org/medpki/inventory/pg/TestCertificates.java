package org.medpki.inventory.pg;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.CertificateIntent;
import org.medpki.core.inventory.NewCa;

/** Small software-made certificates and intents for the inventory tests. */
final class TestCertificates {

    private TestCertificates() {
    }

    static KeyPair ecKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static byte[] selfSigned(String cn) throws Exception {
        KeyPair key = ecKey();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        X500Name name = new X500Name("CN=" + cn);
        return new JcaX509v3CertificateBuilder(name, BigInteger.ONE, Date.from(now),
                Date.from(now.plus(3650, ChronoUnit.DAYS)), name, key.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()))
                .getEncoded();
    }

    static NewCa root(String name) throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return new NewCa(name, CaRole.ROOT, null, name + "-key", selfSigned(name), now, now.plus(3650, ChronoUnit.DAYS));
    }

    static CertificateIntent intent(long caId, BigInteger serial) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return new CertificateIntent(caId, serial, "tls-server", "CN=host" + serial.toString(16) + ".example",
                List.of("host" + serial.toString(16) + ".example"), now, now.plus(90, ChronoUnit.DAYS),
                new byte[] {0x30, 0x03, 0x02, 0x01, 0x01}, new byte[32], "acme:test");
    }
}
