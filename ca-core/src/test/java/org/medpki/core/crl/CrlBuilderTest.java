package org.medpki.core.crl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.core.testpki.TestKeys;
import org.medpki.core.testpki.TestPki;

/** CRL content and lint with a software key (the HSM path is covered by crl-publisher's tests). */
class CrlBuilderTest {
    private final TestPki pki = TestPki.create("server-ca", TestKeys.ec("secp256r1"), SignatureAlgorithm.ECDSA_SHA256);
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    private CrlTemplate template(CrlKind kind, Instant thisUpdate, Instant nextUpdate, String idp) {
        return new CrlTemplate(pki.issuing(), kind, BigInteger.valueOf(7), kind == CrlKind.DELTA ? BigInteger.valueOf(6) : null,
                thisUpdate, nextUpdate, idp, kind == CrlKind.FULL ? "http://crl.test/crl/server-ca-delta.crl" : null);
    }

    private ContentSigner signer() throws Exception {
        return new JcaContentSignerBuilder("SHA256withECDSA").build(pki.issuingKey().getPrivate());
    }

    private X509CRL parse(byte[] der) throws Exception {
        return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
    }

    @Test
    void buildsASignedCrlTheJdkReadsWithReasonsAndInvalidityDates() throws Exception {
        CrlBuilder b = new CrlBuilder(template(CrlKind.FULL, now, now.plus(Duration.ofHours(24)), null));
        b.add(new RevokedEntry(BigInteger.valueOf(0x1234567890L), now.minusSeconds(60), RevocationReason.KEY_COMPROMISE,
                now.minusSeconds(3600)));
        b.add(new RevokedEntry(new BigInteger("7f" + "00".repeat(15), 16), now, RevocationReason.UNSPECIFIED, null));
        SignedCrl signed = b.sign(signer(), now);
        X509CRL crl = parse(signed.der());
        crl.verify(new JcaX509CertificateConverter().getCertificate(pki.issuingCert()).getPublicKey());
        assertThat(crl.getRevokedCertificates()).hasSize(2);
        X509CRLEntry first = crl.getRevokedCertificate(BigInteger.valueOf(0x1234567890L));
        assertThat(first.getRevocationReason()).isEqualTo(java.security.cert.CRLReason.KEY_COMPROMISE);
        assertThat(first.getExtensionValue(Extension.invalidityDate.getId())).isNotNull();
        assertThat(crl.getRevokedCertificate(new BigInteger("7f" + "00".repeat(15), 16)).getRevocationReason()).isNull();
        assertThat(crl.getExtensionValue(Extension.freshestCRL.getId())).isNotNull();
        assertThat(crl.getExtensionValue(Extension.issuingDistributionPoint.getId())).isNull();
        assertThat(crl.getThisUpdate().toInstant()).isEqualTo(now);
    }

    @Test
    void anEmptyCrlHasNoRevokedListAndADeltaCarriesItsIndicatorAndIdp() throws Exception {
        SignedCrl signed = new CrlBuilder(template(CrlKind.DELTA, now, now.plusSeconds(600),
                "http://crl.test/crl/server-ca-2.crl")).sign(signer(), now);
        X509CRL crl = parse(signed.der());
        assertThat(crl.getRevokedCertificates()).isNull();
        assertThat(crl.getCriticalExtensionOIDs()).contains(Extension.deltaCRLIndicator.getId(),
                Extension.issuingDistributionPoint.getId());
    }

    @Test
    void lintRefusesDuplicatesDisorderAndBadTimesBeforeSigning() throws Exception {
        CrlBuilder dup = new CrlBuilder(template(CrlKind.FULL, now, now.plusSeconds(600), null));
        dup.add(new RevokedEntry(BigInteger.valueOf(0x10000000000L), now, RevocationReason.SUPERSEDED, null));
        dup.add(new RevokedEntry(BigInteger.valueOf(0x10000000000L), now, RevocationReason.SUPERSEDED, null));
        assertThatThrownBy(() -> dup.sign(signer(), now)).isInstanceOf(PkiException.class)
                .hasMessageContaining("e_crl_entry_duplicate")
                .satisfies(e -> assertThat(((PkiException) e).kind()).isEqualTo(ErrorKind.LINT_FAILED));

        CrlBuilder order = new CrlBuilder(template(CrlKind.FULL, now, now.plusSeconds(600), null));
        order.add(new RevokedEntry(BigInteger.valueOf(0x20000000000L), now, RevocationReason.SUPERSEDED, null));
        order.add(new RevokedEntry(BigInteger.valueOf(0x10000000000L), now, RevocationReason.SUPERSEDED, null));
        assertThatThrownBy(() -> order.sign(signer(), now)).hasMessageContaining("e_crl_entry_order");

        assertThatThrownBy(() -> new CrlBuilder(template(CrlKind.FULL, now.plusSeconds(120), now.plusSeconds(600), null))
                .sign(signer(), now)).hasMessageContaining("e_crl_this_update_future");
        assertThatThrownBy(() -> new CrlBuilder(template(CrlKind.FULL, now.minusSeconds(600), now.minusSeconds(1), null))
                .sign(signer(), now)).hasMessageContaining("e_crl_next_update_past");

        CrlBuilder removal = new CrlBuilder(template(CrlKind.FULL, now, now.plusSeconds(600), null));
        removal.add(new RevokedEntry(BigInteger.valueOf(0x10000000000L), now, RevocationReason.REMOVE_FROM_CRL, null));
        assertThatThrownBy(() -> removal.sign(signer(), now)).hasMessageContaining("e_crl_entry_remove_from_crl");

        CrlBuilder late = new CrlBuilder(template(CrlKind.FULL, now, now.plusSeconds(600), null));
        late.add(new RevokedEntry(BigInteger.valueOf(0x10000000000L), now.plusSeconds(5), RevocationReason.SUPERSEDED, null));
        assertThatThrownBy(() -> late.sign(signer(), now)).hasMessageContaining("e_crl_entry_date");
    }

    @Test
    void scopesNameTheirFilesAndShardsSpreadSerials() {
        CrlScope two = new CrlScope("server-ca", 2);
        assertThat(two.urlFrom("http://h:8080/crl/server-ca.crl", CrlKind.DELTA)).isEqualTo("http://h:8080/crl/server-ca-2-delta.crl");
        assertThat(CrlScope.whole("server-ca").fileName(CrlKind.FULL)).isEqualTo("server-ca.crl");
        assertThatThrownBy(() -> two.urlFrom("http://h/crl/other.crl", CrlKind.FULL)).isInstanceOf(IllegalArgumentException.class);
        CrlDistribution four = new CrlDistribution(4, true);
        assertThat(four.shardOf(BigInteger.valueOf(9))).isEqualTo(2);
        assertThat(CrlDistribution.DEFAULT.shardOf(BigInteger.valueOf(9))).isZero();
        assertThat(four.scopes("server-ca")).hasSize(5);
    }
}
