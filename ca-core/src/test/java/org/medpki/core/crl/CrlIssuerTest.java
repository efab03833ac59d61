package org.medpki.core.crl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;
import org.bouncycastle.cert.X509CRLEntryHolder;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.CertificateIntent;
import org.medpki.core.inventory.NewCa;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.core.testpki.HandClock;
import org.medpki.core.testpki.InMemoryCrlStore;
import org.medpki.core.testpki.InMemoryInventory;
import org.medpki.core.testpki.SoftwareSigningKeys;
import org.medpki.core.testpki.TestKeys;
import org.medpki.core.testpki.TestPki;

/**
 * CRL publication over in-memory fakes of the inventory, the CRL store and the token: numbering
 * per scope shared by complete and delta CRLs, which revocations each kind lists and with what,
 * validity by policy, the distribution-point extensions, and what a token failure leaves.
 */
class CrlIssuerTest {
    private static final String BASE_URL = "http://crl.hospital.test/crl";
    private static final CrlDistribution SHARDED = new CrlDistribution(2, true);
    private static TestPki pki;

    private HandClock clock;
    private InMemoryInventory inventory;
    private InMemoryCrlStore store;
    private SoftwareSigningKeys keys;
    private CrlIssuer issuer;
    private CaCertificate serverCa;
    private long serial = 0x1000;

    @BeforeAll
    static void pki() {
        pki = TestPki.create("server-ca", TestKeys.freshEc("secp256r1"), SignatureAlgorithm.ECDSA_SHA256);
    }

    @BeforeEach
    void issuer() throws Exception {
        clock = new HandClock(TestPki.NOW);
        inventory = new InMemoryInventory(clock);
        CaRecord root = inventory.saveCa(new NewCa("root", CaRole.ROOT, null, "root", pki.root().getEncoded(),
                pki.root().getNotBefore().toInstant(), pki.root().getNotAfter().toInstant()));
        inventory.saveCa(new NewCa("server-ca", CaRole.ISSUING, root.id(), "server-ca",
                pki.issuingCert().getEncoded(), pki.issuingCert().getNotBefore().toInstant(),
                pki.issuingCert().getNotAfter().toInstant()));
        serverCa = Hierarchy.load(inventory).issuing("server-ca");
        store = new InMemoryCrlStore(inventory, clock);
        keys = new SoftwareSigningKeys().add("server-ca", pki.issuingKey());
        issuer = new CrlIssuer(store, keys, CrlPolicy.DEFAULT, BASE_URL, clock);
    }

    @Test
    void numbersIncreaseStrictlyPerScopeAcrossCompleteAndDeltaCrls() throws Exception {
        CrlScope whole = CrlScope.whole("server-ca");
        CrlScope shard1 = new CrlScope("server-ca", 1);
        PublishedCrl full1 = issuer.publish(serverCa, whole, CrlKind.FULL, SHARDED);
        clock.advance(Duration.ofMinutes(5));
        PublishedCrl delta2 = issuer.publish(serverCa, whole, CrlKind.DELTA, SHARDED);
        PublishedCrl shardFull = issuer.publish(serverCa, shard1, CrlKind.FULL, SHARDED);
        clock.advance(Duration.ofMinutes(5));
        PublishedCrl full3 = issuer.publish(serverCa, whole, CrlKind.FULL, SHARDED);
        PublishedCrl delta4 = issuer.publish(serverCa, whole, CrlKind.DELTA, SHARDED);

        assertThat(List.of(full1, delta2, full3, delta4)).extracting(PublishedCrl::number)
                .containsExactly(BigInteger.ONE, BigInteger.TWO, BigInteger.valueOf(3), BigInteger.valueOf(4));
        assertThat(number(full3.der())).isEqualTo(3);
        assertThat(number(delta4.der())).isEqualTo(4);
        // A delta names the newest complete CRL of its scope as its base.
        assertThat(delta2.baseNumber()).isEqualTo(BigInteger.ONE);
        assertThat(delta4.baseNumber()).isEqualTo(BigInteger.valueOf(3));
        assertThat(deltaIndicator(delta4.der())).isEqualTo(3);
        assertThat(deltaIndicator(full3.der())).isNull();
        // Another scope has its own sequence.
        assertThat(shardFull.number()).isEqualTo(BigInteger.ONE);
        assertThat(store.latest()).extracting(PublishedCrl::number)
                .containsExactly(BigInteger.valueOf(4), BigInteger.valueOf(3), BigInteger.ONE);
    }

    @Test
    void aCompleteCrlListsEveryRevocationWithItsReasonAndDate() throws Exception {
        BigInteger a = issue(0);
        BigInteger b = issue(0);
        BigInteger c = issue(0);
        BigInteger notRevoked = issue(0);
        Instant at = clock.instant();
        inventory.revoke(serverCa.record().id(), a, RevocationReason.KEY_COMPROMISE, at, null);
        inventory.revoke(serverCa.record().id(), b, RevocationReason.SUPERSEDED, at, null);
        inventory.revoke(serverCa.record().id(), c, RevocationReason.UNSPECIFIED, at, null);

        PublishedCrl crl = issuer.publish(serverCa, CrlScope.whole("server-ca"), CrlKind.FULL, SHARDED);

        assertThat(crl.entries()).isEqualTo(3);
        X509CRLHolder holder = new X509CRLHolder(crl.der());
        assertThat(holder.isSignatureValid(new JcaContentVerifierProviderBuilder().build(pki.issuingCert()))).isTrue();
        Map<BigInteger, Integer> reasons = reasons(holder);
        // No reasonCode for unspecified (RFC 5280 5.3.1).
        assertThat(reasons).containsExactly(Map.entry(a, CRLReason.keyCompromise), Map.entry(b, CRLReason.superseded),
                Map.entry(c, -1));
        assertThat(reasons).doesNotContainKey(notRevoked);
        for (Object o : holder.getRevokedCertificates()) {
            assertThat(((X509CRLEntryHolder) o).getRevocationDate().toInstant()).isEqualTo(at);
        }
    }

    @Test
    void aDeltaListsWhatWasRevokedSinceItsBaseWithTheOverlapAndTheNextCompleteCrlListsAll() throws Exception {
        CrlScope whole = CrlScope.whole("server-ca");
        BigInteger early = issue(0);
        BigInteger late = issue(0);
        inventory.revoke(serverCa.record().id(), early, RevocationReason.KEY_COMPROMISE, clock.instant(), null);
        clock.advance(Duration.ofHours(1));
        PublishedCrl base = issuer.publish(serverCa, whole, CrlKind.FULL, SHARDED);
        clock.advance(Duration.ofHours(1));
        inventory.revoke(serverCa.record().id(), late, RevocationReason.AFFILIATION_CHANGED, clock.instant(), null);
        clock.advance(Duration.ofMinutes(1));

        PublishedCrl delta = issuer.publish(serverCa, whole, CrlKind.DELTA, SHARDED);
        PublishedCrl full = issuer.publish(serverCa, whole, CrlKind.FULL, SHARDED);
        PublishedCrl nextDelta = issuer.publish(serverCa, whole, CrlKind.DELTA, SHARDED);

        assertThat(reasons(new X509CRLHolder(base.der()))).containsOnlyKeys(early);
        assertThat(reasons(new X509CRLHolder(delta.der())))
                .containsExactly(Map.entry(late, CRLReason.affiliationChanged));
        assertThat(reasons(new X509CRLHolder(full.der()))).containsOnlyKeys(early, late);
        // Revoked a minute before the new base: inside deltaOverlap, so listed again.
        assertThat(reasons(new X509CRLHolder(nextDelta.der()))).containsOnlyKeys(late);
    }

    @Test
    void validityFollowsThePolicyAndShardsAndDeltasAreNamedInTheExtensions() throws Exception {
        CrlScope shard2 = new CrlScope("server-ca", 2);
        BigInteger inShard2 = issue(2);
        BigInteger inShard1 = issue(1);
        inventory.revoke(serverCa.record().id(), inShard2, RevocationReason.SUPERSEDED, clock.instant(), null);
        inventory.revoke(serverCa.record().id(), inShard1, RevocationReason.SUPERSEDED, clock.instant(), null);

        PublishedCrl full = issuer.publish(serverCa, shard2, CrlKind.FULL, SHARDED);
        PublishedCrl delta = issuer.publish(serverCa, shard2, CrlKind.DELTA, SHARDED);

        Instant thisUpdate = clock.instant();
        assertThat(full.thisUpdate()).isEqualTo(thisUpdate);
        assertThat(full.nextUpdate()).isEqualTo(thisUpdate.plus(CrlPolicy.DEFAULT.validity(CrlKind.FULL)));
        assertThat(delta.nextUpdate()).isEqualTo(thisUpdate.plus(CrlPolicy.DEFAULT.validity(CrlKind.DELTA)));
        assertThat(reasons(new X509CRLHolder(full.der()))).containsOnlyKeys(inShard2);
        X509CRLHolder holder = new X509CRLHolder(full.der());
        IssuingDistributionPoint idp = IssuingDistributionPoint.getInstance(
                holder.getExtension(Extension.issuingDistributionPoint).getParsedValue());
        assertThat(idp.getDistributionPoint().getName().toString()).contains(BASE_URL + "/server-ca-2.crl");
        CRLDistPoint freshest = CRLDistPoint.getInstance(holder.getExtension(Extension.freshestCRL).getParsedValue());
        GeneralName freshestUrl = GeneralNames.getInstance(freshest.getDistributionPoints()[0].getDistributionPoint()
                .getName()).getNames()[0];
        assertThat(freshestUrl.getName().toString()).isEqualTo(BASE_URL + "/server-ca-2-delta.crl");
        assertThat(new X509CRLHolder(delta.der()).getExtension(Extension.freshestCRL)).isNull();
    }

    @Test
    void aRevokedCertificateLongExpiredIsDroppedFromTheCrl() throws Exception {
        BigInteger expired = issue(0, clock.instant().minus(CrlPolicy.DEFAULT.keepExpired()).minusSeconds(60));
        BigInteger recentlyExpired = issue(0, clock.instant().minus(Duration.ofDays(1)));
        inventory.revoke(serverCa.record().id(), expired, RevocationReason.SUPERSEDED, clock.instant(), null);
        inventory.revoke(serverCa.record().id(), recentlyExpired, RevocationReason.SUPERSEDED, clock.instant(), null);

        PublishedCrl crl = issuer.publish(serverCa, CrlScope.whole("server-ca"), CrlKind.FULL, SHARDED);

        assertThat(reasons(new X509CRLHolder(crl.der()))).containsOnlyKeys(recentlyExpired);
    }

    @Test
    void aTokenFailureStoresNothingAndUsesNoNumber() {
        CrlScope whole = CrlScope.whole("server-ca");
        issuer.publish(serverCa, whole, CrlKind.FULL, SHARDED);
        keys.failWith(new PkiException(ErrorKind.TOKEN_UNAVAILABLE, "the token went away"));

        assertThatThrownBy(() -> issuer.publish(serverCa, whole, CrlKind.FULL, SHARDED))
                .isInstanceOfSatisfying(PkiException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.TOKEN_UNAVAILABLE));

        assertThat(store.all()).hasSize(1);
        keys.failWith(null);
        assertThat(issuer.publish(serverCa, whole, CrlKind.FULL, SHARDED).number()).isEqualTo(BigInteger.TWO);
    }

    @Test
    void aDeltaWithoutACompleteCrlAndAnotherCasScopeAreRefused() {
        assertThatThrownBy(() -> issuer.publish(serverCa, CrlScope.whole("server-ca"), CrlKind.DELTA, SHARDED))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
        assertThatThrownBy(() -> issuer.publish(serverCa, CrlScope.whole("server-ca"), CrlKind.DELTA,
                new CrlDistribution(1, false))).isInstanceOfSatisfying(PkiException.class,
                e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION));
        assertThatThrownBy(() -> issuer.publish(serverCa, CrlScope.whole("identity-ca"), CrlKind.FULL, SHARDED))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.all()).isEmpty();
        assertThat(keys.signatures()).isZero();
    }

    /** An issued certificate of server-ca in {@code shard}, valid for a year. */
    private BigInteger issue(int shard) {
        return issue(shard, clock.instant().plus(Duration.ofDays(365)));
    }

    private BigInteger issue(int shard, Instant notAfter) {
        BigInteger s = BigInteger.valueOf(serial++);
        long caId = serverCa.record().id();
        inventory.recordIntent(new CertificateIntent(caId, s, "tls-server", "CN=x", List.of(), notAfter.minus(
                Duration.ofDays(90)), notAfter, new byte[] {1}, new byte[32], "test", shard));
        inventory.recordIssued(caId, s, new byte[] {2});
        return s;
    }

    private static long number(byte[] der) throws Exception {
        return CRLNumber.getInstance(new X509CRLHolder(der).getExtension(Extension.cRLNumber).getParsedValue())
                .getCRLNumber().longValueExact();
    }

    private static Long deltaIndicator(byte[] der) throws Exception {
        Extension e = new X509CRLHolder(der).getExtension(Extension.deltaCRLIndicator);
        return e == null ? null : CRLNumber.getInstance(e.getParsedValue()).getCRLNumber().longValueExact();
    }

    /** Serial to reason code (-1: none), in the CRL's order. */
    private static Map<BigInteger, Integer> reasons(X509CRLHolder crl) {
        Map<BigInteger, Integer> out = new java.util.LinkedHashMap<>();
        for (Object o : crl.getRevokedCertificates()) {
            X509CRLEntryHolder e = (X509CRLEntryHolder) o;
            Extension reason = e.getExtension(Extension.reasonCode);
            out.put(e.getSerialNumber(), reason == null ? -1
                    : CRLReason.getInstance(reason.getParsedValue()).getValue().intValue());
        }
        return out;
    }
}
