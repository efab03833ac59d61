package org.medpki.caapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.CaRole;

/**
 * The CA endpoint is recognised by identity, whatever host name reached it: signed by the service
 * CA, CN "ca", serverAuth. Another CA of the same name, another CN or a client-only certificate is
 * not the CA. After a rollover of the service CA, an endpoint certificate of the new generation
 * is recognised once the client reads the generations again.
 */
class CaEndpointIdentityTest {
    private static final X500Name SERVICE_CA = new X500Name("O=hospital.test PKI,CN=identity-ca");

    private static KeyPair key() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate cert(X500Name issuer, PrivateKey signer, X500Name subject, PublicKey key,
                                        boolean ca, KeyPurposeId... eku) throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(1, ChronoUnit.HOURS)), Date.from(now.plus(1, ChronoUnit.DAYS)), subject, key);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (eku.length > 0) {
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(eku));
        }
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    }

    @Test
    void onlyTheServiceCasCertificateForCaWithServerAuthIsTheEndpoint() throws Exception {
        KeyPair serviceCaKey = key();
        X509Certificate serviceCa = cert(SERVICE_CA, serviceCaKey.getPrivate(), SERVICE_CA, serviceCaKey.getPublic(), true);
        KeyPair impostorKey = key();
        KeyPair leaf = key();
        X500Name ca = new X500Name("O=hospital.test PKI,CN=ca");

        assertThat(CaApiClient.isCaEndpoint(cert(SERVICE_CA, serviceCaKey.getPrivate(), ca, leaf.getPublic(), false,
                KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth), serviceCa)).isTrue();
        // another service's certificate from the service CA
        assertThat(CaApiClient.isCaEndpoint(cert(SERVICE_CA, serviceCaKey.getPrivate(),
                new X500Name("O=hospital.test PKI,CN=acme"), leaf.getPublic(), false, KeyPurposeId.id_kp_serverAuth,
                KeyPurposeId.id_kp_clientAuth), serviceCa)).isFalse();
        // CN ca, but only for clients
        assertThat(CaApiClient.isCaEndpoint(cert(SERVICE_CA, serviceCaKey.getPrivate(), ca, leaf.getPublic(), false,
                KeyPurposeId.id_kp_clientAuth), serviceCa)).isFalse();
        // CN ca from another CA (e.g. server-ca, which issues tls-server certificates)
        assertThat(CaApiClient.isCaEndpoint(cert(new X500Name("O=hospital.test PKI,CN=server-ca"),
                impostorKey.getPrivate(), ca, leaf.getPublic(), false, KeyPurposeId.id_kp_serverAuth), serviceCa))
                .isFalse();
        // CN ca from a CA that only has the service CA's name
        assertThat(CaApiClient.isCaEndpoint(cert(SERVICE_CA, impostorKey.getPrivate(), ca, leaf.getPublic(), false,
                KeyPurposeId.id_kp_serverAuth), serviceCa)).isFalse();
    }

    @Test
    void anEndpointCertificateOfALaterGenerationIsRecognisedOnceTheGenerationsAreReadAgain() throws Exception {
        KeyPair g1Key = key();
        X509Certificate g1 = cert(SERVICE_CA, g1Key.getPrivate(), SERVICE_CA, g1Key.getPublic(), true);
        X500Name g2Name = new X500Name("O=hospital.test PKI,CN=identity-ca G2");
        KeyPair g2Key = key();
        X509Certificate g2 = cert(g2Name, g2Key.getPrivate(), g2Name, g2Key.getPublic(), true);
        Instant now = Instant.now();
        List<CaRecord> rows = new ArrayList<>(List.of(new CaRecord(7, "identity-ca", CaRole.ISSUING, 1L, "k1",
                g1.getEncoded(), now.minus(1, ChronoUnit.DAYS), now.plus(1, ChronoUnit.DAYS), now)));
        long[] nanos = {0};
        CallerIssuers generations = new CallerIssuers(() -> Hierarchy.of(List.copyOf(rows)), "identity-ca",
                () -> nanos[0]);
        X500Name ca = new X500Name("O=hospital.test PKI,CN=ca");
        X509Certificate oldEndpoint = cert(SERVICE_CA, g1Key.getPrivate(), ca, key().getPublic(), false,
                KeyPurposeId.id_kp_serverAuth);
        X509Certificate newEndpoint = cert(g2Name, g2Key.getPrivate(), ca, key().getPublic(), false,
                KeyPurposeId.id_kp_serverAuth);
        assertThat(CaApiClient.isCaEndpoint(oldEndpoint, generations)).isTrue();
        assertThat(CaApiClient.isCaEndpoint(newEndpoint, generations)).as("generation 2 not certified yet").isFalse();

        rows.add(new CaRecord(8, "identity-ca-g2", CaRole.ISSUING, 1L, "k2", g2.getEncoded(),
                now.minus(1, ChronoUnit.DAYS), now.plus(1, ChronoUnit.DAYS), now));
        // A server-ca generation is not one of the service CA's, whatever it signs.
        rows.add(new CaRecord(9, "server-ca-g2", CaRole.ISSUING, 1L, "k3", cert(new X500Name("CN=server-ca G2"),
                key().getPrivate(), new X500Name("CN=server-ca G2"), key().getPublic(), true).getEncoded(),
                now.minus(1, ChronoUnit.DAYS), now.plus(1, ChronoUnit.DAYS), now));
        nanos[0] += CallerIssuers.REREAD_NANOS;
        assertThat(CaApiClient.isCaEndpoint(newEndpoint, generations)).isTrue();
        assertThat(CaApiClient.isCaEndpoint(oldEndpoint, generations)).isTrue();
        assertThat(generations.generations()).extracting(c -> c.name()).containsExactly("identity-ca",
                "identity-ca-g2");
        // Generation 2's name, another key.
        assertThat(CaApiClient.isCaEndpoint(cert(g2Name, key().getPrivate(), ca, key().getPublic(), false,
                KeyPurposeId.id_kp_serverAuth), generations)).isFalse();
    }
}
