package org.medpki.crl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.cert.X509CRLEntryHolder;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.medpki.core.crl.CrlDistribution;
import org.medpki.core.crl.CrlDistributions;
import org.medpki.core.crl.CrlIssuer;
import org.medpki.core.crl.CrlKind;
import org.medpki.core.crl.CrlPolicy;
import org.medpki.core.crl.CrlScope;
import org.medpki.core.crl.CrlSigning;
import org.medpki.core.crl.PublishedCrl;
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
import org.medpki.core.store.ExclusiveLock;
import org.medpki.core.template.CaTemplates;
import org.medpki.core.testpki.HandClock;
import org.medpki.core.testpki.InMemoryCrlStore;
import org.medpki.core.testpki.InMemoryInventory;
import org.medpki.core.testpki.SoftwareSigner;
import org.medpki.core.testpki.SoftwareSigningKeys;
import org.medpki.core.testpki.TestKeys;
import org.medpki.core.testpki.TestPki;

/**
 * The publishing loop over in-memory fakes of the inventory, the CRL store and the token, one
 * round at a time by hand: what an active instance publishes and when, what a revocation notice
 * triggers, what a standby serves, and what a database that is down or a CA that is away leaves.
 * The lock is a fake the test holds or gives to another instance; CRLs are really made and signed
 * (a {@link CrlIssuer} over software keys), so numbers and entries are the store's.
 */
class CrlPublicationTest {
    private static final CrlPolicy POLICY = CrlPolicy.DEFAULT;
    private static TestPki pki;
    private static KeyPair identityKey;
    private static X509CertificateHolder identityCert;

    private HandClock clock;
    private InMemoryInventory inventory;
    private InMemoryCrlStore store;
    private Hierarchy hierarchy;
    private CaCertificate serverCa;
    private CaCertificate identityCa;
    private CrlIssuer ca;
    private FakeSigning signing;
    private FakeLock lock;
    private volatile boolean databaseUp = true;
    private final List<Handed> handed = new ArrayList<>();
    private final Map<String, PublishedCrl> served = new HashMap<>();
    private int failures;
    private long serial = 0x1000;

    /** What the sink was given: a CRL just published (buildTime set) or loaded (null). */
    private record Handed(CrlScope scope, PublishedCrl crl, Duration buildTime) {
    }

    @BeforeAll
    static void pki() {
        pki = TestPki.create("server-ca", TestKeys.freshEc("secp256r1"), SignatureAlgorithm.ECDSA_SHA256);
        identityKey = TestKeys.freshEc("secp256r1");
        TBSCertificate tbs = new CaTemplates().issuing(pki.rootInfo(),
                new X500Name("CN=MedPKI Test identity-ca,O=Test Hospital,C=DE"), TestPki.spki(identityKey),
                TestPki.serial(), TestPki.NOW.minus(Duration.ofHours(12)), TestPki.NOW.plus(Duration.ofDays(5 * 365)),
                0, List.of(TestPki.CP_OID), "http://crl.hospital.test/root.crl",
                "http://pki.hospital.test/certs/root.crt");
        identityCert = SoftwareSigner.sign(tbs, pki.rootKey().getPrivate(), SignatureAlgorithm.ECDSA_SHA384);
    }

    @BeforeEach
    void fakes() throws Exception {
        clock = new HandClock(TestPki.NOW);
        inventory = new InMemoryInventory(clock);
        CaRecord root = inventory.saveCa(new NewCa("root", CaRole.ROOT, null, "root", pki.root().getEncoded(),
                pki.root().getNotBefore().toInstant(), pki.root().getNotAfter().toInstant()));
        inventory.saveCa(new NewCa("server-ca", CaRole.ISSUING, root.id(), "server-ca",
                pki.issuingCert().getEncoded(), pki.issuingCert().getNotBefore().toInstant(),
                pki.issuingCert().getNotAfter().toInstant()));
        inventory.saveCa(new NewCa("identity-ca", CaRole.ISSUING, root.id(), "identity-ca", identityCert.getEncoded(),
                identityCert.getNotBefore().toInstant(), identityCert.getNotAfter().toInstant()));
        hierarchy = Hierarchy.load(inventory);
        serverCa = hierarchy.issuing("server-ca");
        identityCa = hierarchy.issuing("identity-ca");
        store = new InMemoryCrlStore(inventory, clock);
        SoftwareSigningKeys keys = new SoftwareSigningKeys().add("root", pki.rootKey())
                .add("server-ca", pki.issuingKey()).add("identity-ca", identityKey);
        ca = new CrlIssuer(store, keys, POLICY, "http://crl.hospital.test/crl", clock);
        signing = new FakeSigning(ca);
        lock = new FakeLock();
    }

    @Test
    void theFirstActiveRoundPublishesACompleteAndADeltaCrlPerIssuingCaAndTheRootCrl() {
        CrlPublication publication = publication(CrlSettings.OnRevocation.DELTA);

        publication.round();

        assertThat(publication.active()).isTrue();
        assertThat(lock.held()).isTrue();
        assertThat(labels(store.all())).containsExactlyInAnyOrder("server-ca#1", "server-ca-delta#2",
                "identity-ca#1", "identity-ca-delta#2", "root#1");
        // Each delta is based on the complete CRL just published.
        assertThat(newest("server-ca-delta").baseNumber()).isEqualTo(newest("server-ca").number());
        assertThat(newest("identity-ca-delta").baseNumber()).isEqualTo(newest("identity-ca").number());
        // Every one handed to the sink as published (with its build time), none as a failure.
        assertThat(handed).hasSize(5).allSatisfy(h -> assertThat(h.buildTime()).isNotNull());
        assertThat(failures).isZero();
        assertThat(served).containsOnlyKeys("server-ca", "server-ca-delta", "identity-ca", "identity-ca-delta",
                "root");
    }

    @Test
    void aCaWhoseKeyWasDestroyedGetsNoMoreCrlsAndItsFinalOneStands() {
        CrlPublication publication = publication(CrlSettings.OnRevocation.DELTA);
        publication.round();
        PublishedCrl last = newest("server-ca");
        store.retire(serverCa.record().id());

        clock.advance(POLICY.fullInterval());
        publication.round();

        assertThat(newest("server-ca")).as("nothing new for the retired CA").isEqualTo(last);
        assertThat(ofCa(serverCa)).hasSize(2);
        assertThat(ofCa(identityCa)).as("the others go on").hasSizeGreaterThan(2);
    }

    @Test
    void crlNumbersIncreaseStrictlyFromRoundToRoundAndOnlyWhatIsDueIsPublished() {
        CrlPublication publication = publication(CrlSettings.OnRevocation.DELTA);

        publication.round();
        publication.round();
        assertThat(store.all()).as("nothing is due a second time at the same instant").hasSize(5);
        clock.advance(POLICY.deltaInterval());
        publication.round();
        clock.advance(POLICY.fullInterval());
        publication.round();

        List<PublishedCrl> server = ofCa(serverCa);
        assertThat(server).extracting(PublishedCrl::kind).containsExactly(CrlKind.FULL, CrlKind.DELTA, CrlKind.DELTA,
                CrlKind.FULL, CrlKind.DELTA);
        assertStrictlyIncreasing(server);
        assertStrictlyIncreasing(ofCa(identityCa));
        assertThat(ofCa(identityCa)).hasSize(5);
        // The newest delta is based on the newest complete CRL; the root's is not due again.
        assertThat(server.getLast().baseNumber()).isEqualTo(server.get(3).number());
        assertThat(labels(ofCa(hierarchy.root()))).containsExactly("root#1");
        assertThat(served.get("server-ca").number()).isEqualTo(BigInteger.valueOf(4));
        assertThat(served.get("server-ca-delta").number()).isEqualTo(BigInteger.valueOf(5));
    }

    @Test
    void aRevocationNoticePublishesADeltaListingTheSerialAtOnce() throws Exception {
        CrlPublication publication = publication(CrlSettings.OnRevocation.DELTA);
        BigInteger revoked = issue(serverCa);
        publication.round();
        clock.advance(Duration.ofMinutes(1));
        inventory.revoke(serverCa.record().id(), revoked, RevocationReason.KEY_COMPROMISE, clock.instant(), null);

        publication.round();
        assertThat(store.all()).as("without the notice the revocation waits for the next delta").hasSize(5);

        publication.revoked(InMemoryInventory.payload(serverCa.record().id(), revoked));
        publication.round();

        List<PublishedCrl> added = store.all().subList(5, store.all().size());
        assertThat(labels(added)).containsExactly("server-ca-delta#3");
        assertThat(serials(added.getFirst())).containsExactly(revoked);
        assertThat(served.get("server-ca-delta")).isSameAs(added.getFirst());
        // Once: the next round has nothing more to publish.
        publication.round();
        assertThat(store.all()).hasSize(6);
    }

    @Test
    void withOnRevocationFullTheNoticeAlsoPublishesACompleteCrl() throws Exception {
        CrlPublication publication = publication(settings(CrlSettings.OnRevocation.FULL, Duration.ZERO,
                CrlSettings.DEFAULT_FULL_ON_REVOCATION_MAX_ENTRIES, CrlDistributions.DEFAULT));
        BigInteger revoked = issue(serverCa);
        publication.round();
        clock.advance(Duration.ofMinutes(1));
        inventory.revoke(serverCa.record().id(), revoked, RevocationReason.SUPERSEDED, clock.instant(), null);

        publication.revoked(InMemoryInventory.payload(serverCa.record().id(), revoked));
        publication.round();

        List<PublishedCrl> added = store.all().subList(5, store.all().size());
        assertThat(labels(added)).containsExactly("server-ca#3", "server-ca-delta#4");
        assertThat(serials(added.get(0))).containsExactly(revoked);
        assertThat(serials(added.get(1))).containsExactly(revoked);
        assertThat(added.get(1).baseNumber()).isEqualTo(BigInteger.valueOf(3));
    }

    @Test
    void aStandbyPublishesNothingButServesTheStoredCrlsAndReloadsAtOnceOnAStoredNotice() {
        lock.takenElsewhere();
        publishAsAnotherInstance();
        CrlPublication publication = publication(CrlSettings.OnRevocation.DELTA);

        publication.round();

        assertThat(publication.active()).isFalse();
        assertThat(signing.calls).isZero();
        assertThat(store.all()).hasSize(5);
        assertThat(handed).hasSize(5).allSatisfy(h -> assertThat(h.buildTime()).as("loaded, not built").isNull());
        assertThat(served).containsOnlyKeys("server-ca", "server-ca-delta", "identity-ca", "identity-ca-delta",
                "root");
        assertThat(served.get("server-ca-delta").number()).isEqualTo(BigInteger.TWO);

        // The other instance publishes a delta; a standby that was not told keeps what it had.
        clock.advance(Duration.ofSeconds(1));
        PublishedCrl delta = ca.publish(serverCa, CrlScope.whole("server-ca"), CrlKind.DELTA, CrlDistribution.DEFAULT);
        publication.round();
        assertThat(served.get("server-ca-delta").number()).isEqualTo(BigInteger.TWO);

        publication.stored(serverCa.record().id() + ":0:delta:" + delta.number());
        publication.round();
        assertThat(served.get("server-ca-delta")).isSameAs(delta);
        // A notice it cannot read makes it read every newest CRL.
        PublishedCrl full = ca.publish(serverCa, CrlScope.whole("server-ca"), CrlKind.FULL, CrlDistribution.DEFAULT);
        publication.stored("garbled");
        publication.round();
        assertThat(served.get("server-ca")).isSameAs(full);

        // Without a notice it re-reads the store every STANDBY_REFRESH.
        PublishedCrl identityDelta = ca.publish(identityCa, CrlScope.whole("identity-ca"), CrlKind.DELTA,
                CrlDistribution.DEFAULT);
        clock.advance(CrlPublication.STANDBY_REFRESH);
        publication.round();
        assertThat(served.get("identity-ca-delta")).isSameAs(identityDelta);
        assertThat(signing.calls).isZero();
        assertThat(publication.active()).isFalse();
    }

    @Test
    void takingTheLockOverCountsFromWhatThePreviousHolderPublishedAndLosingItStopsPublishing() {
        publishAsAnotherInstance();
        CrlPublication publication = publication(CrlSettings.OnRevocation.DELTA);

        publication.round();
        assertThat(publication.active()).isTrue();
        assertThat(signing.calls).as("what the previous holder published is not due again").isZero();
        assertThat(served).hasSize(5);

        clock.advance(POLICY.deltaInterval());
        publication.round();
        assertThat(labels(store.all().subList(5, store.all().size())))
                .containsExactlyInAnyOrder("server-ca-delta#3", "identity-ca-delta#3");

        lock.takenElsewhere();
        clock.advance(POLICY.fullInterval());
        publication.round();
        assertThat(publication.active()).isFalse();
        assertThat(store.all()).hasSize(7);
    }

    @Test
    void losingTheLockInTheMiddleOfARoundStopsItBeforeTheNextCa() {
        CrlPublication publication = publication(CrlSettings.OnRevocation.DELTA);
        signing.before = lock::takenElsewhere;

        publication.round();

        // The first CA's CRLs were under way; neither the other CA's nor the root's were started.
        assertThat(store.all()).hasSize(2).extracting(PublishedCrl::caId).containsOnly(store.all().getFirst().caId());
        assertThat(store.all().getFirst().caId()).isNotEqualTo(hierarchy.root().record().id());
        signing.before = () -> { };
        publication.round();
        assertThat(publication.active()).isFalse();
        assertThat(store.all()).hasSize(2);
    }

    @Test
    void whileTheDatabaseIsDownNothingIsPublishedAndTheInstanceIsNotActive() {
        CrlPublication publication = publication(CrlSettings.OnRevocation.DELTA);
        publication.round();
        assertThat(publication.active()).isTrue();

        databaseUp = false;
        clock.advance(POLICY.fullInterval());
        publication.round();

        assertThat(publication.databaseUp()).isFalse();
        assertThat(publication.active()).isFalse();
        assertThat(store.all()).hasSize(5);
        assertThat(signing.calls).isEqualTo(5);

        databaseUp = true;
        publication.round();
        assertThat(publication.databaseUp()).isTrue();
        assertThat(publication.active()).isTrue();
        assertThat(labels(store.all().subList(5, store.all().size()))).containsExactlyInAnyOrder("server-ca#3",
                "server-ca-delta#4", "identity-ca#3", "identity-ca-delta#4");
    }

    @Test
    void aSigningFailurePublishesNothingKeepsThePreviousCrlsServedAndTheNextRoundRecovers() {
        CrlPublication publication = publication(CrlSettings.OnRevocation.DELTA);
        publication.round();
        Map<String, PublishedCrl> before = Map.copyOf(served);

        signing.failure = new PkiException(ErrorKind.CA_UNAVAILABLE, "the CA service does not answer");
        clock.advance(POLICY.fullInterval());
        publication.round();

        assertThat(store.all()).hasSize(5);
        assertThat(served).isEqualTo(before);
        // One failure per issuing CA: its complete CRL failed, so its delta was not attempted.
        assertThat(failures).isEqualTo(2);
        assertThat(publication.active()).isTrue();

        signing.failure = null;
        publication.round();
        assertThat(labels(store.all().subList(5, store.all().size()))).containsExactlyInAnyOrder("server-ca#3",
                "server-ca-delta#4", "identity-ca#3", "identity-ca-delta#4");
        assertThat(served.get("server-ca").number()).isEqualTo(BigInteger.valueOf(3));
        assertThat(served.get("identity-ca-delta").number()).isEqualTo(BigInteger.valueOf(4));
        assertThat(failures).isEqualTo(2);
    }

    @Test
    void aRevocationNoticeThatArrivesWhileTheCaIsAwayIsPublishedAsSoonAsItIsBack() throws Exception {
        CrlPublication publication = publication(CrlSettings.OnRevocation.DELTA);
        BigInteger revoked = issue(serverCa);
        publication.round();
        clock.advance(Duration.ofMinutes(1));
        inventory.revoke(serverCa.record().id(), revoked, RevocationReason.KEY_COMPROMISE, clock.instant(), null);

        signing.failure = new PkiException(ErrorKind.CA_UNAVAILABLE, "the CA service does not answer");
        publication.revoked(InMemoryInventory.payload(serverCa.record().id(), revoked));
        publication.round();
        assertThat(store.all()).hasSize(5);

        signing.failure = null;
        publication.round();
        List<PublishedCrl> added = store.all().subList(5, store.all().size());
        assertThat(labels(added)).as("published on the first round after, not at the next delta interval")
                .containsExactly("server-ca-delta#3");
        assertThat(serials(added.getFirst())).containsExactly(revoked);
    }

    @Test
    void noticesWithinTheCoalescingWindowGiveDeltasAtOnceAndOneCompleteCrlListingThemAll() throws Exception {
        CrlPublication publication = publication(settings(CrlSettings.OnRevocation.FULL, Duration.ofSeconds(2),
                CrlSettings.DEFAULT_FULL_ON_REVOCATION_MAX_ENTRIES, CrlDistributions.DEFAULT));
        List<BigInteger> serials = List.of(issue(serverCa), issue(serverCa), issue(serverCa));
        publication.round();
        clock.advance(Duration.ofMinutes(1));
        for (BigInteger s : serials) {
            revokeAndNotice(publication, serverCa, s);
            publication.round();
            clock.advance(Duration.ofMillis(600));
        }
        List<PublishedCrl> added = store.all().subList(5, store.all().size());
        assertThat(labels(added)).as("within the window: a delta per notice, no complete CRL yet")
                .containsExactly("server-ca-delta#3", "server-ca-delta#4", "server-ca-delta#5");
        assertThat(publication.untilNextRound()).as("the loop wakes when the window ends").isLessThan(1000);

        clock.advance(Duration.ofMillis(200)); // 2 s after the first notice
        publication.round();
        publication.round();

        added = store.all().subList(8, store.all().size());
        assertThat(labels(added)).containsExactly("server-ca#6", "server-ca-delta#7");
        assertThat(serials(added.getFirst())).containsExactlyInAnyOrderElementsOf(serials);
        assertThat(served.get("server-ca")).isSameAs(added.getFirst());
        assertThat(labels(ofCa(identityCa))).as("the other CA is not touched").hasSize(2);
    }

    @Test
    void aPartitionedCaReissuesOnlyTheCompleteCrlOfTheRevokedCertificatesShard() throws Exception {
        CrlDistribution four = new CrlDistribution(4, true);
        CrlPublication publication = publication(settings(CrlSettings.OnRevocation.FULL, Duration.ZERO,
                CrlSettings.DEFAULT_FULL_ON_REVOCATION_MAX_ENTRIES, distributions(four)));
        BigInteger revoked = issue(serverCa, 3, Duration.ofDays(365));
        issue(serverCa, 1, Duration.ofDays(365));
        publication.round();
        int before = store.all().size();
        assertThat(before).isEqualTo(13);
        clock.advance(Duration.ofMinutes(1));

        revokeAndNotice(publication, serverCa, revoked);
        publication.round();

        List<PublishedCrl> added = store.all().subList(before, store.all().size());
        assertThat(labels(added)).as("the CA's delta, and its shard's complete CRL and delta; no other shard")
                .containsExactly("server-ca-delta#3", "server-ca-3#3", "server-ca-3-delta#4");
        assertThat(serials(added.get(1))).containsExactly(revoked);
    }

    @Test
    void aCompleteCrlAboveTheSizeLimitWaitsForItsScheduleWhileTheDeltaGoesOutAtOnce() throws Exception {
        CrlPublication publication = publication(settings(CrlSettings.OnRevocation.FULL, Duration.ZERO, 1,
                CrlDistributions.DEFAULT));
        BigInteger first = issue(serverCa);
        BigInteger second = issue(serverCa);
        BigInteger third = issue(serverCa);
        publication.round();
        clock.advance(Duration.ofMinutes(1));
        revokeAndNotice(publication, serverCa, first);
        publication.round();
        revokeAndNotice(publication, serverCa, second);
        publication.round();
        assertThat(labels(store.all().subList(5, store.all().size()))).as("1 entry is within the limit of 1")
                .containsExactly("server-ca#3", "server-ca-delta#4", "server-ca#5", "server-ca-delta#6");
        assertThat(newest("server-ca").entries()).isEqualTo(2);
        int before = store.all().size();

        revokeAndNotice(publication, serverCa, third);
        publication.round();

        List<PublishedCrl> added = store.all().subList(before, store.all().size());
        assertThat(labels(added)).containsExactly("server-ca-delta#7");
        assertThat(serials(added.getFirst())).contains(third);
        clock.advance(POLICY.fullInterval());
        publication.round();
        assertThat(serials(newest("server-ca"))).as("on its schedule").contains(first, second, third);
    }

    @Test
    void aFailedPublicationKeepsWhatEachShardOwesForTheFirstRoundAfter() throws Exception {
        CrlPublication publication = publication(settings(CrlSettings.OnRevocation.FULL, Duration.ZERO,
                CrlSettings.DEFAULT_FULL_ON_REVOCATION_MAX_ENTRIES, distributions(new CrlDistribution(4, true))));
        BigInteger inTwo = issue(serverCa, 2, Duration.ofDays(365));
        BigInteger inFour = issue(serverCa, 4, Duration.ofDays(365));
        publication.round();
        int before = store.all().size();
        clock.advance(Duration.ofMinutes(1));

        signing.failure = new PkiException(ErrorKind.CA_UNAVAILABLE, "the CA service does not answer");
        revokeAndNotice(publication, serverCa, inTwo);
        publication.round();
        revokeAndNotice(publication, serverCa, inFour);
        publication.round();
        assertThat(store.all()).hasSize(before);
        assertThat(publication.untilNextRound()).as("no busy loop against a CA that is away").isEqualTo(1000);

        signing.failure = null;
        publication.round();

        List<PublishedCrl> added = store.all().subList(before, store.all().size());
        assertThat(labels(added)).containsExactly("server-ca-delta#3", "server-ca-2#3", "server-ca-2-delta#4",
                "server-ca-4#3", "server-ca-4-delta#4");
        assertThat(serials(added.get(1))).containsExactly(inTwo);
        assertThat(serials(added.get(3))).containsExactly(inFour);
        publication.round();
        assertThat(store.all()).as("delivered once").hasSize(before + 5);
    }

    @Test
    void aReducedShardCountKeepsPublishingEveryShardThatStillHoldsCertificates() throws Exception {
        CrlPublication four = publication(settings(CrlSettings.OnRevocation.FULL, Duration.ZERO,
                CrlSettings.DEFAULT_FULL_ON_REVOCATION_MAX_ENTRIES, distributions(new CrlDistribution(4, true))));
        BigInteger inThree = issue(serverCa, 3, Duration.ofDays(365));
        // Shard 4's only certificate expired longer than keepExpired ago: nothing of it can be listed.
        issue(serverCa, 4, POLICY.keepExpired().plusDays(1).negated());
        four.round();

        CrlDistribution two = new CrlDistribution(2, true);
        CrlPublication publication = publication(settings(CrlSettings.OnRevocation.FULL, Duration.ZERO,
                CrlSettings.DEFAULT_FULL_ON_REVOCATION_MAX_ENTRIES, distributions(two)));
        clock.advance(POLICY.fullInterval());
        int before = store.all().size();
        publication.round();

        List<String> added = labels(store.all().subList(before, store.all().size())).stream()
                .filter(l -> l.startsWith("server-ca")).map(l -> l.substring(0, l.indexOf('#'))).toList();
        assertThat(added).containsExactly("server-ca", "server-ca-delta", "server-ca-1", "server-ca-1-delta",
                "server-ca-2", "server-ca-2-delta", "server-ca-3", "server-ca-3-delta");
        assertThatThrownBy(() -> ca.publish(serverCa, new CrlScope("server-ca", 4), CrlKind.FULL, two))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));

        // A revocation in shard 3 (recorded at issuance; 1 + serial mod 2 would say otherwise) re-issues it.
        before = store.all().size();
        clock.advance(Duration.ofMinutes(1));
        revokeAndNotice(publication, serverCa, inThree);
        publication.round();
        List<PublishedCrl> urgent = store.all().subList(before, store.all().size());
        assertThat(labels(urgent)).containsExactly("server-ca-delta#5", "server-ca-3#5", "server-ca-3-delta#6");
        assertThat(serials(urgent.get(1))).containsExactly(inThree);
    }

    private CrlPublication publication(CrlSettings.OnRevocation onRevocation) {
        return publication(new CrlSettings(POLICY, CrlDistributions.DEFAULT, onRevocation, Path.of("unused")));
    }

    private CrlPublication publication(CrlSettings settings) {
        return new CrlPublication(signing, store, lock, () -> databaseUp, hierarchy, settings, clock,
                this::accept);
    }

    private static CrlSettings settings(CrlSettings.OnRevocation onRevocation, Duration coalesce, long maxEntries,
                                        CrlDistributions distributions) {
        return new CrlSettings(POLICY, distributions, onRevocation, coalesce, maxEntries, Path.of("unused"));
    }

    private static CrlDistributions distributions(CrlDistribution serverCa) {
        return new CrlDistributions(Map.of("server-ca", serverCa), CrlDistribution.DEFAULT);
    }

    private void revokeAndNotice(CrlPublication publication, CaCertificate issuing, BigInteger s) {
        inventory.revoke(issuing.record().id(), s, RevocationReason.KEY_COMPROMISE, clock.instant(), null);
        publication.revoked(InMemoryInventory.payload(issuing.record().id(), s));
    }

    /** The sink as the verticle's: a failure leaves what is served; a CRL replaces its file. */
    private void accept(CrlScope scope, PublishedCrl crl, Duration buildTime) {
        if (crl == null) {
            failures++;
            return;
        }
        handed.add(new Handed(scope, crl, buildTime));
        served.put(scope.stem(crl.kind()), crl);
    }

    /** What the active instance publishes on its first round, published by another one. */
    private void publishAsAnotherInstance() {
        for (CaCertificate issuing : List.of(serverCa, identityCa)) {
            CrlScope whole = CrlScope.whole(issuing.name());
            ca.publish(issuing, whole, CrlKind.FULL, CrlDistribution.DEFAULT);
            ca.publish(issuing, whole, CrlKind.DELTA, CrlDistribution.DEFAULT);
        }
        ca.publishRoot(hierarchy.root());
    }

    /** An issued certificate of {@code issuing}, valid for a year. */
    private BigInteger issue(CaCertificate issuing) {
        return issue(issuing, 0, Duration.ofDays(365));
    }

    /** An issued certificate of {@code issuing} in CRL shard {@code shard}, expiring {@code expiresIn} from now. */
    private BigInteger issue(CaCertificate issuing, int shard, Duration expiresIn) {
        BigInteger s = BigInteger.valueOf(serial++);
        Instant notAfter = clock.instant().plus(expiresIn);
        inventory.recordIntent(new CertificateIntent(issuing.record().id(), s, "tls-server", "CN=x", List.of(),
                notAfter.minus(Duration.ofDays(90)), notAfter, new byte[] {1}, new byte[32], "test", shard));
        inventory.recordIssued(issuing.record().id(), s, new byte[] {2});
        return s;
    }

    private PublishedCrl newest(String stem) {
        return store.all().stream().filter(c -> stem(c).equals(stem)).reduce((a, b) -> b).orElseThrow();
    }

    private List<PublishedCrl> ofCa(CaCertificate of) {
        return store.all().stream().filter(c -> c.caId() == of.record().id()).toList();
    }

    private String stem(PublishedCrl crl) {
        return new CrlScope(hierarchy.byId(crl.caId()).orElseThrow().name(), crl.shard()).stem(crl.kind());
    }

    /** "server-ca-delta#2": the file stem and the CRL number, in the order given. */
    private List<String> labels(List<PublishedCrl> crls) {
        return crls.stream().map(c -> stem(c) + "#" + c.number()).toList();
    }

    private static void assertStrictlyIncreasing(List<PublishedCrl> crls) {
        for (int i = 1; i < crls.size(); i++) {
            assertThat(crls.get(i).number()).as("CRL number after %s", crls.get(i - 1).number())
                    .isGreaterThan(crls.get(i - 1).number());
        }
    }

    private static Set<BigInteger> serials(PublishedCrl crl) throws Exception {
        Set<BigInteger> out = new LinkedHashSet<>();
        for (Object o : new X509CRLHolder(crl.der()).getRevokedCertificates()) {
            out.add(((X509CRLEntryHolder) o).getSerialNumber());
        }
        return out;
    }

    /**
     * The CA's CRL signing, made to fail the way a CA service that does not answer does; runs
     * {@code before} at each call.
     */
    private static final class FakeSigning implements CrlSigning {
        private final CrlSigning ca;
        volatile PkiException failure;
        volatile Runnable before = () -> { };
        int calls;

        FakeSigning(CrlSigning ca) {
            this.ca = ca;
        }

        @Override
        public PublishedCrl publish(CaCertificate issuing, CrlScope scope, CrlKind kind, CrlDistribution distribution) {
            attempt();
            return ca.publish(issuing, scope, kind, distribution);
        }

        @Override
        public PublishedCrl publishRoot(CaCertificate root) {
            attempt();
            return ca.publishRoot(root);
        }

        private void attempt() {
            calls++;
            before.run();
            PkiException f = failure;
            if (f != null) {
                throw new PkiException(f.kind(), f.detail());
            }
        }
    }

    /**
     * The lock as the port promises it: a held lock stays held; free unless another instance has
     * it. {@link #takenElsewhere()} plays a lost connection whose lock another instance took.
     */
    private static final class FakeLock implements ExclusiveLock {
        private boolean free = true;
        private boolean held;

        @Override
        public boolean tryAcquire() {
            if (!held && free) {
                held = true;
            }
            return held;
        }

        @Override
        public boolean held() {
            return held;
        }

        void takenElsewhere() {
            held = false;
            free = false;
        }

        @Override
        public void close() {
            held = false;
        }
    }
}
