package org.medpki.caapi;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.inventory.CertificateRecord;
import org.medpki.core.inventory.CertificateStatus;
import org.medpki.core.inventory.Inventory;

/**
 * Who is calling: the TLS client certificate, checked against the CA's own records rather than
 * only a trust store. The certificate must be signed by a generation of the CA that issues the
 * caller's profile (service for the CA API, admin for the admin API; each generation's certificate
 * checked with its own key, see {@link CallerIssuers}), be within its validity, and be in the
 * inventory under that generation as an issued (not revoked) certificate of that profile with
 * exactly these bytes. The caller's name is its CN.
 * TLS itself proved that the client holds the certificate's key (CertificateVerify).
 * A positive answer is remembered for {@link #REMEMBER} so that a busy caller costs one inventory
 * look-up per interval; a revocation takes effect within that interval.
 */
public final class CallerAuthenticator {
    static final Duration REMEMBER = Duration.ofSeconds(10);

    /** An authenticated caller: its CN, and its certificate's serial and issuing CA row. */
    public record Caller(String name, BigInteger serial, long caId) {
    }

    /** Why a certificate was not accepted: a short, fixed phrase (it goes into the audit log). */
    public static final class Refusal extends Exception {
        private final String subject;

        Refusal(String reason, String subject) {
            super(reason, null, false, false);
            this.subject = subject;
        }

        /** The presented certificate's subject, or "none". */
        public String subject() {
            return subject;
        }
    }

    private record Remembered(Caller caller, Instant until, byte[] der) {
    }

    private final CallerIssuers issuers;
    private final String serviceProfile;

    /** The generations of the CA that issues the callers' certificates. */
    public CallerIssuers issuers() {
        return issuers;
    }
    private final Inventory inventory;
    private final Clock clock;
    private final Map<BigInteger, Remembered> remembered = new ConcurrentHashMap<>();

    public CallerAuthenticator(CallerIssuers issuers, String serviceProfile, Inventory inventory, Clock clock) {
        this.issuers = java.util.Objects.requireNonNull(issuers, "issuers");
        this.serviceProfile = serviceProfile;
        this.inventory = inventory;
        this.clock = clock;
    }

    /** Blocks (inventory look-up). {@code chain}: the peer's certificates, leaf first; empty when none. */
    public Caller authenticate(List<? extends Certificate> chain) throws Refusal {
        if (chain == null || chain.isEmpty() || !(chain.get(0) instanceof X509Certificate leaf)) {
            throw new Refusal("no client certificate", "none");
        }
        String subject = leaf.getSubjectX500Principal().getName();
        byte[] der;
        try {
            der = leaf.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new Refusal("unreadable client certificate", subject);
        }
        Instant now = clock.instant();
        Remembered known = remembered.get(leaf.getSerialNumber());
        if (known != null && now.isBefore(known.until()) && Arrays.equals(known.der(), der)) {
            return known.caller();
        }
        Optional<CaCertificate> signer = issuers.signerOf(leaf);
        if (signer.isEmpty()) {
            throw new Refusal(issuers.namesIssuerOf(leaf) ? "client certificate signature does not verify"
                    : "client certificate from another CA", subject);
        }
        long caId = signer.get().record().id();
        if (now.isBefore(leaf.getNotBefore().toInstant()) || now.isAfter(leaf.getNotAfter().toInstant())) {
            throw new Refusal("client certificate expired or not yet valid", subject);
        }
        Optional<CertificateRecord> record = inventory.certificatesWithSerial(leaf.getSerialNumber()).stream()
                .filter(r -> r.caId() == caId).findFirst();
        if (record.isEmpty() || record.get().der() == null || !Arrays.equals(record.get().der(), der)) {
            throw new Refusal("client certificate unknown to the inventory", subject);
        }
        if (record.get().status() != CertificateStatus.ISSUED) {
            throw new Refusal("client certificate " + record.get().status().name().toLowerCase(java.util.Locale.ROOT),
                    subject);
        }
        if (!serviceProfile.equals(record.get().profile())) {
            throw new Refusal("client certificate is not a " + serviceProfile + " certificate", subject);
        }
        String name = commonName(leaf).orElseThrow(() -> new Refusal("client certificate names no one (CN)", subject));
        Caller caller = new Caller(name, leaf.getSerialNumber(), caId);
        Instant until = now.plus(REMEMBER);
        if (until.isAfter(leaf.getNotAfter().toInstant())) {
            until = leaf.getNotAfter().toInstant();
        }
        remembered.put(leaf.getSerialNumber(), new Remembered(caller, until, der));
        return caller;
    }

    /** Forgets what was remembered (after a revocation the CA made itself). */
    public void forget(BigInteger serial) {
        remembered.remove(serial);
    }

    static Optional<String> commonName(X509Certificate cert) {
        RDN[] cns = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.CN);
        if (cns.length != 1) {
            return Optional.empty();
        }
        return Optional.of(IETFUtils.valueToString(cns[0].getFirst().getValue()));
    }
}
