package org.medpki.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.CertificateIntent;
import org.medpki.core.inventory.NewCa;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.core.template.CaTemplates;
import org.medpki.core.testpki.HandClock;
import org.medpki.core.testpki.InMemoryInventory;
import org.medpki.core.testpki.SoftwareSigningKeys;
import org.medpki.core.testpki.TestKeys;
import org.medpki.core.testpki.TestPki;

/**
 * The responder's answers over in-memory fakes of the inventory, its repository, the inventory's
 * announcements and the OCSP token: good, revoked and unknown; a revocation announcement
 * re-signing at once; pre-signed responses served from memory with neither inventory nor token;
 * nonce requests signed on demand. Every response is parsed and its signature checked.
 */
class OcspResponderAnswersTest {
    private static final String SIGNER_LABEL = "server-ca-ocsp";
    private static TestPki pki;
    private static KeyPair signerKey;
    private static X509CertificateHolder signerCert;

    private HandClock clock;
    private InMemoryInventory inventory;
    private InMemoryOcspRepository repository;
    private SoftwareSigningKeys keys;
    private CaRecord serverCa;
    private OcspResponder responder;
    private RevocationFollower follower;
    private long nextSerial = 0x5000;

    @BeforeAll
    static void pki() {
        pki = TestPki.create("server-ca", TestKeys.freshEc("secp256r1"), SignatureAlgorithm.ECDSA_SHA256);
        signerKey = TestKeys.freshEc("secp256r1");
        signerCert = pki.signByIssuing(new CaTemplates().ocspSigner(pki.issuing(),
                new X500Name("CN=MedPKI Test server-ca OCSP,O=Test Hospital,C=DE"), TestPki.spki(signerKey),
                TestPki.serial(), TestPki.NOW.minus(Duration.ofHours(1)), TestPki.NOW.plus(Duration.ofDays(90))));
    }

    @BeforeEach
    void responder() throws Exception {
        clock = new HandClock(TestPki.NOW);
        inventory = new InMemoryInventory(clock);
        CaRecord root = inventory.saveCa(new NewCa("root", CaRole.ROOT, null, "root", pki.root().getEncoded(),
                pki.root().getNotBefore().toInstant(), pki.root().getNotAfter().toInstant()));
        serverCa = inventory.saveCa(new NewCa("server-ca", CaRole.ISSUING, root.id(), "server-ca",
                pki.issuingCert().getEncoded(), pki.issuingCert().getNotBefore().toInstant(),
                pki.issuingCert().getNotAfter().toInstant()));
        inventory.saveCa(new NewCa(SIGNER_LABEL, CaRole.OCSP_SIGNER, serverCa.id(), SIGNER_LABEL,
                signerCert.getEncoded(), signerCert.getNotBefore().toInstant(), signerCert.getNotAfter().toInstant()));
        keys = new SoftwareSigningKeys().add(SIGNER_LABEL, signerKey);
        repository = new InMemoryOcspRepository(inventory, clock);
        responder = OcspServer.responder(inventory, repository, keys, OcspConfig.defaults("127.0.0.1", 0), clock);
        responder.start();
        follower = RevocationFollower.start(inventory.notifications(), responder);
    }

    @AfterEach
    void stop() {
        follower.close();
    }

    @Test
    void answersGoodRevokedAndUnknownFromTheInventory() throws Exception {
        BigInteger good = issue();
        BigInteger revoked = issue();
        Instant revokedAt = clock.instant().minusSeconds(30);
        inventory.revoke(serverCa.id(), revoked, RevocationReason.KEY_COMPROMISE, revokedAt, null);
        BigInteger pending = intentOnly();
        BigInteger absent = BigInteger.valueOf(0x7777777);

        assertThat(single(cached(responder.answer(request(good)))).getCertStatus()).isNull();
        SingleResp revokedAnswer = single(cached(responder.answer(request(revoked))));
        assertThat(revokedAnswer.getCertStatus()).isInstanceOfSatisfying(RevokedStatus.class, s -> {
            assertThat(s.getRevocationTime().toInstant()).isEqualTo(revokedAt);
            assertThat(s.getRevocationReason()).isEqualTo(RevocationReason.KEY_COMPROMISE.code());
        });
        assertThat(single(cached(responder.answer(request(pending)))).getCertStatus())
                .isInstanceOf(UnknownStatus.class);
        SingleResp unknown = single(cached(responder.answer(request(absent))));
        assertThat(unknown.getCertStatus()).isInstanceOf(UnknownStatus.class);
        assertThat(unknown.getCertID().getSerialNumber()).isEqualTo(absent);
        assertThat(unknown.getThisUpdate().toInstant()).isEqualTo(clock.instant());
        assertThat(unknown.getNextUpdate().toInstant()).isEqualTo(clock.instant().plus(OcspConfig.DEFAULT_VALIDITY));
        // What is known is stored for the other responders; an unknown serial is not.
        assertThat(repository.stored(serverCa.id(), good)).get().extracting(OcspRepository.Stored::status)
                .isEqualTo("good");
        assertThat(repository.stored(serverCa.id(), revoked)).get().extracting(OcspRepository.Stored::status)
                .isEqualTo("revoked");
        assertThat(repository.stored(serverCa.id(), pending)).isEmpty();
        assertThat(repository.stored(serverCa.id(), absent)).isEmpty();
    }

    @Test
    void aRevocationAnnouncementReSignsTheResponseAtOnce() throws Exception {
        BigInteger serial = issue();
        assertThat(single(cached(responder.answer(request(serial)))).getCertStatus()).isNull();

        inventory.revoke(serverCa.id(), serial, RevocationReason.SUPERSEDED, clock.instant(), null);

        // Answered from memory: the announcement, not this request, brought the new status.
        Answer after = responder.answerFromMemory(request(serial));
        assertThat(single(cached(after)).getCertStatus()).isInstanceOfSatisfying(RevokedStatus.class,
                s -> assertThat(s.getRevocationReason()).isEqualTo(RevocationReason.SUPERSEDED.code()));
        assertThat(repository.stored(serverCa.id(), serial)).get().extracting(OcspRepository.Stored::status)
                .isEqualTo("revoked");
    }

    @Test
    void aLostSubscriptionLeavesTheCacheStaleUntilItIsBackAndRechecksRevocations() throws Exception {
        BigInteger serial = issue();
        assertThat(single(cached(responder.answer(request(serial)))).getCertStatus()).isNull();
        inventory.notifications().interrupt();
        assertThat(follower.isListening()).isFalse();

        inventory.revoke(serverCa.id(), serial, RevocationReason.KEY_COMPROMISE, clock.instant(), null);
        assertThat(single(cached(responder.answerFromMemory(request(serial)))).getCertStatus()).isNull();

        inventory.notifications().reconnect();
        assertThat(follower.isListening()).isTrue();
        assertThat(single(cached(responder.answerFromMemory(request(serial)))).getCertStatus())
                .isInstanceOf(RevokedStatus.class);
    }

    @Test
    void aPreSignedResponseIsServedFromMemoryWithoutTheInventoryOrTheToken() throws Exception {
        BigInteger serial = issue(); // the issuance announcement has its first response signed
        int signatures = keys.signatures();
        int reads = repository.reads();
        assertThat(signatures).isEqualTo(1);

        Answer first = responder.answerFromMemory(request(serial));
        Answer second = responder.answerFromMemory(request(serial));

        assertThat(first).isInstanceOf(Answer.Cached.class);
        assertThat(((Answer.Cached) second).response()).isSameAs(((Answer.Cached) first).response());
        assertThat(single(cached(first)).getCertStatus()).isNull();
        assertThat(keys.signatures()).isEqualTo(signatures);
        assertThat(repository.reads()).isEqualTo(reads);

        // A responder starting later serves the stored response without signing it again.
        SoftwareSigningKeys otherToken = new SoftwareSigningKeys().add(SIGNER_LABEL, signerKey);
        OcspResponder restarted = OcspServer.responder(inventory, repository, otherToken,
                OcspConfig.defaults("127.0.0.1", 0), clock);
        restarted.start();
        Answer warm = restarted.answerFromMemory(request(serial));
        assertThat(cached(warm)).isEqualTo(repository.stored(serverCa.id(), serial).orElseThrow().der());
        assertThat(otherToken.signatures()).isZero();
    }

    @Test
    void aNonceRequestIsSignedOnDemandAndEchoesItsNonce() throws Exception {
        BigInteger serial = issue();
        int before = keys.signatures();
        byte[] nonce1 = "first nonce 1234".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] nonce2 = "second nonce 567".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

        Answer pending = responder.answerFromMemory(request(serial, nonce1));
        assertThat(pending).isInstanceOf(Answer.Pending.class);
        byte[] one = onDemand(responder.resolve((Answer.Pending) pending));
        byte[] two = onDemand(responder.answer(request(serial, nonce2)));

        assertThat(nonceOf(one)).isEqualTo(nonce1);
        assertThat(nonceOf(two)).isEqualTo(nonce2);
        assertThat(single(one).getCertStatus()).isNull();
        assertThat(keys.signatures()).isEqualTo(before + 2);

        // With nonces off, the same request gets the pre-signed response, without a nonce.
        OcspResponder noNonces = OcspServer.responder(inventory, repository, keys,
                OcspConfig.defaults("127.0.0.1", 0).withNonce(false), clock);
        noNonces.start();
        byte[] plain = cached(noNonces.answer(request(serial, nonce1)));
        assertThat(nonceOf(plain)).isNull();
        assertThat(keys.signatures()).isEqualTo(before + 2);
    }

    @Test
    void theRefresherReSignsOldResponsesAndSignsWhatWasMissed() throws Exception {
        BigInteger old = issue();
        inventory.notifications().interrupt();
        BigInteger missed = issue(); // its announcement was lost
        inventory.notifications().reconnect();
        assertThat(repository.stored(serverCa.id(), missed)).isEmpty();
        clock.advance(Duration.ofHours(11)); // past refreshAfter (10 h)

        assertThat(responder.refreshDue()).isEqualTo(2);

        for (BigInteger serial : List.of(old, missed)) {
            assertThat(repository.stored(serverCa.id(), serial)).get()
                    .extracting(OcspRepository.Stored::thisUpdate).isEqualTo(clock.instant());
        }
        assertThat(responder.refreshDue()).isZero();
    }

    @Test
    void betweenFullPassesTheRefresherReadsOnlyWhatCanHaveBecomeDue() throws Exception {
        assertThat(responder.refreshDue()).isZero(); // the first pass is a full one
        assertThat(repository.fullLookups()).isEqualTo(1);

        clock.advance(Duration.ofHours(1));
        BigInteger announced = issue(); // signed at once, through its announcement
        assertThat(repository.stored(serverCa.id(), announced)).isPresent();
        inventory.notifications().interrupt();
        BigInteger missed = issue();
        inventory.notifications().reconnect();
        clock.advance(Duration.ofMinutes(1));
        // The next pass finds the certificate issued since the last one without a response, and
        // only through the narrow look-up.
        assertThat(responder.refreshDue()).isEqualTo(1);
        assertThat(repository.stored(serverCa.id(), missed)).get()
                .extracting(OcspRepository.Stored::thisUpdate).isEqualTo(clock.instant());
        assertThat(repository.fullLookups()).isEqualTo(1);
        assertThat(repository.recentLookups()).isPositive();

        // Ten hours after the first: a full pass again (nothing there is ten hours old yet).
        clock.advance(Duration.ofHours(9));
        assertThat(responder.refreshDue()).isZero();
        assertThat(repository.fullLookups()).isEqualTo(2);

        // Past refreshAfter for the two responses signed an hour after the full pass: the narrow
        // look-up re-signs them (old enough to re-sign, young enough to be still served).
        clock.advance(Duration.ofMinutes(75));
        int recent = repository.recentLookups();
        assertThat(responder.refreshDue()).isEqualTo(2);
        assertThat(repository.fullLookups()).isEqualTo(2);
        assertThat(repository.recentLookups()).isGreaterThan(recent);
        for (BigInteger serial : List.of(announced, missed)) {
            assertThat(repository.stored(serverCa.id(), serial)).get()
                    .extracting(OcspRepository.Stored::thisUpdate).isEqualTo(clock.instant());
        }
        assertThat(responder.refreshDue()).isZero();
    }

    // ---- the world ----

    private BigInteger issue() {
        BigInteger serial = intentOnly();
        inventory.recordIssued(serverCa.id(), serial, new byte[] {1});
        return serial;
    }

    private BigInteger intentOnly() {
        BigInteger serial = BigInteger.valueOf(nextSerial++);
        inventory.recordIntent(new CertificateIntent(serverCa.id(), serial, "tls-server", "CN=x", List.of(),
                clock.instant(), clock.instant().plus(Duration.ofDays(90)), new byte[] {1}, new byte[32], "test"));
        return serial;
    }

    // ---- requests and responses ----

    private static byte[] request(BigInteger serial) throws Exception {
        return request(serial, null);
    }

    private static byte[] request(BigInteger serial, byte[] nonce) throws Exception {
        CertificateID id = new CertificateID(new JcaDigestCalculatorProviderBuilder().build()
                .get(CertificateID.HASH_SHA1), pki.issuingCert(), serial);
        OCSPReqBuilder builder = new OCSPReqBuilder().addRequest(id);
        if (nonce != null) {
            builder.setRequestExtensions(new Extensions(new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false,
                    new DEROctetString(new DEROctetString(nonce)))));
        }
        return builder.build().getEncoded();
    }

    private static byte[] cached(Answer answer) {
        assertThat(answer).isInstanceOf(Answer.Cached.class);
        return ((Answer.Cached) answer).response().der();
    }

    private static byte[] onDemand(Answer answer) {
        assertThat(answer).isInstanceOf(Answer.OnDemand.class);
        return ((Answer.OnDemand) answer).der();
    }

    /** The one SingleResponse of a successful response whose signature verifies under the OCSP signer. */
    private static SingleResp single(byte[] der) throws Exception {
        OCSPResp response = new OCSPResp(der);
        assertThat(response.getStatus()).isEqualTo(OCSPResp.SUCCESSFUL);
        BasicOCSPResp basic = (BasicOCSPResp) response.getResponseObject();
        assertThat(basic.getCerts()).containsExactly(signerCert);
        assertThat(basic.isSignatureValid(new JcaContentVerifierProviderBuilder().build(signerCert))).isTrue();
        assertThat(basic.getResponses()).hasSize(1);
        return basic.getResponses()[0];
    }

    private static byte[] nonceOf(byte[] der) throws Exception {
        BasicOCSPResp basic = (BasicOCSPResp) new OCSPResp(der).getResponseObject();
        Extension nonce = basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
        return nonce == null ? null : ASN1OctetString.getInstance(nonce.getExtnValue().getOctets()).getOctets();
    }
}
