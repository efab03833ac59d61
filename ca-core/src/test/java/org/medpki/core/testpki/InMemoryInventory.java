package org.medpki.core.testpki;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.medpki.core.crl.RevokedEntry;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.CaRevocation;
import org.medpki.core.inventory.CertificateIntent;
import org.medpki.core.inventory.CertificateQuery;
import org.medpki.core.inventory.CertificateRecord;
import org.medpki.core.inventory.CertificateStatus;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.inventory.NewCa;
import org.medpki.core.revocation.RevocationReason;

/**
 * The {@link Inventory} port in memory, with PgInventory's rules: unique CA names and serials
 * per CA, pending - issued - revoked and nothing else, the same error kinds, and the issuance and
 * revocation announcements (on {@link #notifications()}, after the change, as after a commit).
 * Thread-safe. The test-only accessors expose what PostgreSQL would hold beyond the port (the
 * intent's TBS and CRL shard).
 */
public final class InMemoryInventory implements Inventory {

    private static final class Row {
        final CertificateIntent intent;
        final Instant createdAt;
        CertificateStatus status = CertificateStatus.PENDING;
        byte[] der;
        Instant revokedAt;
        RevocationReason reason;
        Instant invalidityDate;

        Row(CertificateIntent intent, Instant createdAt) {
            this.intent = intent;
            this.createdAt = createdAt;
        }

        CertificateRecord record() {
            CertificateIntent i = intent;
            return new CertificateRecord(i.caId(), i.serial(), i.profile(), i.subject(), i.sans(), i.notBefore(),
                    i.notAfter(), status, revokedAt, reason, invalidityDate, der == null ? null : der.clone(),
                    i.requester(), createdAt);
        }
    }

    private record Key(long caId, BigInteger serial) {
    }

    private final Clock clock;
    private final InMemoryNotifications notifications = new InMemoryNotifications();
    private final Map<Long, CaRecord> cas = new TreeMap<>();
    private final Map<Key, Row> certificates = new LinkedHashMap<>();
    private final Map<Long, CaRevocation> caRevocations = new TreeMap<>();

    public InMemoryInventory(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Where this inventory announces issuances and revocations. */
    public InMemoryNotifications notifications() {
        return notifications;
    }

    // ---- CAs ----

    @Override
    public synchronized CaRecord saveCa(NewCa ca) {
        try {
            CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(ca.certificate()));
        } catch (CertificateException e) {
            throw new PkiException(ErrorKind.MALFORMED, "the certificate of CA " + ca.name()
                    + " is not a DER X.509 certificate", e);
        }
        if (cas.values().stream().anyMatch(c -> c.name().equals(ca.name()))) {
            throw new PkiException(ErrorKind.CONFLICT, "a CA named " + ca.name() + " is already recorded");
        }
        if (ca.parentId() != null && !cas.containsKey(ca.parentId())) {
            throw new PkiException(ErrorKind.NOT_FOUND, "the parent CA " + ca.parentId() + " of CA " + ca.name()
                    + " is not recorded");
        }
        long id = cas.size() + 1;
        CaRecord record = new CaRecord(id, ca.name(), ca.role(), ca.parentId(), ca.keyLabel(), ca.certificate(),
                ca.notBefore(), ca.notAfter(), clock.instant());
        cas.put(id, record);
        return record;
    }

    @Override
    public synchronized List<CaRecord> cas() {
        return List.copyOf(cas.values());
    }

    @Override
    public synchronized Optional<CaRecord> ca(String name) {
        return cas.values().stream().filter(c -> c.name().equals(name)).findFirst();
    }

    @Override
    public synchronized Optional<CaRecord> ca(long id) {
        return Optional.ofNullable(cas.get(id));
    }

    // ---- intents and issuances ----

    @Override
    public synchronized void recordIntent(CertificateIntent intent) {
        Objects.requireNonNull(intent, "intent");
        if (!cas.containsKey(intent.caId())) {
            throw new PkiException(ErrorKind.NOT_FOUND, "CA " + intent.caId() + " is not recorded");
        }
        Key key = new Key(intent.caId(), intent.serial());
        if (certificates.containsKey(key)) {
            throw new PkiException(ErrorKind.CONFLICT, "serial " + intent.serial().toString(16)
                    + " is already recorded for CA " + intent.caId());
        }
        certificates.put(key, new Row(intent, clock.instant()));
    }

    @Override
    public void recordIssued(long caId, BigInteger serial, byte[] der) {
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(der, "der");
        if (der.length == 0) {
            throw new PkiException(ErrorKind.MALFORMED, "the issued certificate for serial " + serial.toString(16)
                    + " is empty");
        }
        synchronized (this) {
            Row row = certificates.get(new Key(caId, serial));
            String what = "certificate " + serial.toString(16) + " of CA " + caId;
            if (row == null) {
                throw new PkiException(ErrorKind.NOT_FOUND, "no intent was recorded for " + what);
            }
            if (row.status != CertificateStatus.PENDING) {
                throw new PkiException(ErrorKind.CONFLICT, what + " is already " + wire(row.status));
            }
            row.status = CertificateStatus.ISSUED;
            row.der = der.clone();
        }
        notifications.announce(ISSUANCE_CHANNEL, payload(caId, serial));
    }

    // ---- reading ----

    @Override
    public synchronized Optional<CertificateRecord> certificate(long caId, BigInteger serial) {
        return Optional.ofNullable(certificates.get(new Key(caId, serial))).map(Row::record);
    }

    @Override
    public synchronized List<CertificateRecord> certificatesWithSerial(BigInteger serial) {
        return certificates.values().stream().filter(r -> r.intent.serial().equals(serial)).map(Row::record)
                .sorted(Comparator.comparingLong(CertificateRecord::caId)).toList();
    }

    @Override
    public synchronized boolean keyCompromised(byte[] spkiSha256) {
        return certificates.values().stream().anyMatch(r -> r.status == CertificateStatus.REVOKED
                && r.reason == RevocationReason.KEY_COMPROMISE
                && java.util.Arrays.equals(r.intent.spkiSha256(), spkiSha256));
    }

    @Override
    public synchronized List<CertificateRecord> list(CertificateQuery q) {
        if (q.usesExtendedFilters() || q.order() != null) {
            throw new UnsupportedOperationException("the in-memory inventory filters by profile, status, name and expiry only");
        }
        Instant now = clock.instant();
        var rows = certificates.values().stream().map(Row::record)
                .filter(r -> q.profile() == null || r.profile().equals(q.profile()))
                .filter(r -> q.status() == null || r.status() == q.status())
                .filter(r -> q.san() == null || r.sans().contains(q.san()));
        if (q.expiringBefore() != null) {
            rows = rows.filter(r -> r.status() == CertificateStatus.ISSUED && r.notAfter().isAfter(now)
                            && r.notAfter().isBefore(q.expiringBefore()))
                    .sorted(Comparator.comparing(CertificateRecord::notAfter)
                            .thenComparingLong(CertificateRecord::caId).thenComparing(CertificateRecord::serial));
        } else {
            rows = rows.sorted(Comparator.comparing(CertificateRecord::createdAt).reversed()
                    .thenComparingLong(CertificateRecord::caId).thenComparing(CertificateRecord::serial));
        }
        return rows.limit(q.limit()).toList();
    }

    @Override
    public synchronized List<ProfileCount> countByProfile() {
        Map<String, Long> counts = new TreeMap<>();
        for (Row r : certificates.values()) {
            counts.merge(r.intent.profile() + "\u0000" + wire(r.status), 1L, Long::sum);
        }
        List<ProfileCount> out = new ArrayList<>();
        counts.forEach((k, n) -> {
            String[] parts = k.split("\u0000");
            out.add(new ProfileCount(parts[0], CertificateStatus.valueOf(parts[1].toUpperCase(Locale.ROOT)), n));
        });
        return out;
    }

    // ---- revocation ----

    @Override
    public CertificateRecord revoke(long caId, BigInteger serial, RevocationReason reason, Instant revokedAt,
                                    Instant invalidityDate) {
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(revokedAt, "revokedAt");
        if (reason == RevocationReason.REMOVE_FROM_CRL) {
            throw new PkiException(ErrorKind.BAD_REVOCATION_REASON,
                    "removeFromCRL is not a reason to revoke: it is used only in delta CRLs");
        }
        CertificateRecord revoked;
        synchronized (this) {
            Row row = certificates.get(new Key(caId, serial));
            String what = "certificate " + serial.toString(16) + " of CA " + caId;
            if (row == null) {
                throw new PkiException(ErrorKind.NOT_FOUND, what + " is not in the inventory");
            }
            switch (row.status) {
                case PENDING -> throw new PkiException(ErrorKind.NOT_FOUND, what + " was never issued");
                case REVOKED -> throw new PkiException(ErrorKind.ALREADY_REVOKED, what + " is already revoked");
                case ISSUED -> {
                    row.status = CertificateStatus.REVOKED;
                    row.revokedAt = revokedAt;
                    row.reason = reason;
                    row.invalidityDate = invalidityDate;
                }
            }
            revoked = row.record();
        }
        notifications.announce(REVOCATION_CHANNEL, payload(caId, serial));
        return revoked;
    }

    // ---- what the database holds beyond the port ----

    /** The intent recorded for a certificate (its TBS and CRL shard). */
    public synchronized Optional<CertificateIntent> intent(long caId, BigInteger serial) {
        return Optional.ofNullable(certificates.get(new Key(caId, serial))).map(r -> r.intent);
    }

    /** Every certificate, in the order its intent was recorded. */
    public synchronized List<CertificateRecord> all() {
        return certificates.values().stream().map(Row::record).toList();
    }

    @Override
    public CaRevocation revokeCa(CaRevocation revocation) {
        Objects.requireNonNull(revocation, "revocation");
        synchronized (this) {
            CaRecord ca = cas.get(revocation.caId());
            if (ca == null) {
                throw new PkiException(ErrorKind.NOT_FOUND, "CA " + revocation.caId() + " is not in the inventory");
            }
            if (ca.parentId() == null || (ca.role() != org.medpki.core.inventory.CaRole.ISSUING
                    && ca.role() != org.medpki.core.inventory.CaRole.OCSP_SIGNER)) {
                throw new PkiException(ErrorKind.MALFORMED, "only an issuing CA or an OCSP signer certificate is revoked");
            }
            if (caRevocations.containsKey(revocation.caId())) {
                throw new PkiException(ErrorKind.ALREADY_REVOKED, "CA " + ca.name() + " is already revoked");
            }
            caRevocations.put(revocation.caId(), revocation);
        }
        notifications.announce(CA_REVOCATION_CHANNEL, payload(revocation.caId(), revocation.serial()));
        return revocation;
    }

    @Override
    public synchronized List<CaRevocation> caRevocations() {
        return List.copyOf(caRevocations.values());
    }

    /**
     * The entries of a CRL scope in ascending serial order, as PgCrlStore selects them: revoked
     * before {@code revokedBefore} and after {@code revokedAfter}, not expired before
     * {@code expiredBefore}; of one shard when {@code shard} > 0, of every shard when 0.
     */
    public synchronized List<RevokedEntry> revokedEntries(long caId, int shard, Instant revokedBefore,
                                                          Instant expiredBefore, Instant revokedAfter) {
        List<RevokedEntry> entries = new ArrayList<>(certificates.values().stream()
                .filter(r -> r.intent.caId() == caId && r.status == CertificateStatus.REVOKED)
                .filter(r -> shard == 0 || r.intent.shard() == shard)
                .filter(r -> r.revokedAt.isBefore(revokedBefore) && r.revokedAt.isAfter(revokedAfter))
                .filter(r -> !r.intent.notAfter().isBefore(expiredBefore))
                .map(r -> new RevokedEntry(r.intent.serial(), r.revokedAt, r.reason, r.invalidityDate))
                .toList());
        if (shard == 0) {
            // The CA's complete CRL also lists the CA and OCSP signer certificates it issued and revoked.
            caRevocations.values().stream()
                    .filter(v -> cas.get(v.caId()).parentId() != null && cas.get(v.caId()).parentId() == caId)
                    .filter(v -> v.revokedAt().isBefore(revokedBefore) && v.revokedAt().isAfter(revokedAfter))
                    .filter(v -> cas.get(v.caId()).notAfter() == null
                            || !cas.get(v.caId()).notAfter().isBefore(expiredBefore))
                    .forEach(v -> entries.add(new RevokedEntry(v.serial(), v.revokedAt(), v.reason(),
                            v.invalidityDate())));
        }
        entries.sort(Comparator.comparing(RevokedEntry::serial));
        return entries;
    }

    /** Per shard (1 and up) holding certificates of the CA, its last notAfter, as PgCrlStore reads it. */
    public synchronized Map<Integer, Instant> shardsInUse(long caId) {
        Map<Integer, Instant> out = new TreeMap<>();
        certificates.values().stream().filter(r -> r.intent.caId() == caId && r.intent.shard() > 0)
                .forEach(r -> out.merge(r.intent.shard(), r.intent.notAfter(), (a, b) -> a.isAfter(b) ? a : b));
        return out;
    }

    /** The shards recorded with these certificates of the CA. */
    public synchronized Set<Integer> shardsOf(long caId, Collection<BigInteger> serials) {
        Set<Integer> out = new TreeSet<>();
        for (BigInteger s : serials) {
            Row r = certificates.get(new Key(caId, s));
            if (r != null) {
                out.add(r.intent.shard());
            }
        }
        return out;
    }

    /** The announcement payload: {@code <caId>:<serial in lower-case hex>}, as PgInventory sends it. */
    public static String payload(long caId, BigInteger serial) {
        return caId + ":" + serial.toString(16);
    }

    private static String wire(CertificateStatus status) {
        return status.name().toLowerCase(Locale.ROOT);
    }
}
