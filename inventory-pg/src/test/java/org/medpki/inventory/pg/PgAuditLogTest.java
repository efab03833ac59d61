package org.medpki.inventory.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.Signature;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.medpki.core.audit.AuditCheckpoint;
import org.medpki.core.audit.AuditEntry;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.audit.AuditReport;
import org.medpki.core.audit.AuditSigner;
import org.medpki.core.audit.AuditVerifier;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * The audit log on a real PostgreSQL: chaining, verification, and tampering by someone with the
 * owner's rights (who disables the append-only trigger first), which the verifier must name.
 * Each test has its own database.
 */
class PgAuditLogTest {

    private TestDatabase database;
    private InventoryDatabase db;
    private AuditLog log;

    @BeforeEach
    void open() {
        database = TestDatabase.create();
        db = InventoryDatabase.open(database.url(), 8);
        log = new AuditLog(db.auditStore(), Clock.systemUTC());
    }

    @AfterEach
    void close() {
        if (log != null) {
            log.close();
        }
        if (db != null) {
            db.close();
        }
        if (database != null) {
            database.close();
        }
    }

    private void recordTen() {
        for (int i = 1; i <= 10; i++) {
            log.record(AuditEvent.success(Instant.now(), "certificate.issued", "acme:account-" + i,
                    Map.of("serial", Integer.toHexString(1000 + i), "note", "quote \" backslash \\ newline \n é")));
        }
    }

    private AuditReport verify() {
        return new AuditVerifier(db.auditStore()).verify(null);
    }

    private void asOwnerWithoutTriggers(String... sql) throws Exception {
        try (Connection c = database.admin(); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only");
            s.execute("ALTER TABLE audit_head DISABLE TRIGGER audit_head_forward");
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    @Test
    void appendsChainAndVerify() {
        recordTen();
        AuditReport report = verify();
        assertThat(report.problems()).isEmpty();
        assertThat(report.ok()).isTrue();
        assertThat(report.entries()).isEqualTo(10);
        assertThat(report.oldest()).get().extracting(AuditEntry::seq).isEqualTo(1L);
        assertThat(report.newest()).get().extracting(AuditEntry::seq).isEqualTo(10L);
        assertThat(db.auditStore().count()).isEqualTo(10);
        assertThat(db.auditStore().head()).get().extracting(AuditEntry::seq).isEqualTo(10L);
        AuditEntry first = db.auditStore().oldest().orElseThrow();
        assertThat(first.prevHash()).isEqualTo(new byte[32]);
        assertThat(first.outcome()).isEqualTo("success");
        assertThat(first.details()).startsWith("{\"note\":\"quote \\\" backslash \\\\ newline \\n é\",\"serial\":");
    }

    @Test
    void anEditedEntryIsNamed() throws Exception {
        recordTen();
        asOwnerWithoutTriggers("UPDATE audit_event SET details = '{\"serial\":\"dead\"}' WHERE seq = 4");
        AuditReport report = verify();
        assertThat(report.ok()).isFalse();
        assertThat(report.problems()).containsExactly(
                "entry 4 (type certificate.issued) was altered: its hash does not match its contents");
    }

    @Test
    void anEditedAndRehashedEntryBreaksTheLinkFromItsSuccessor() throws Exception {
        recordTen();
        // The attacker recomputes entry 4's hash; entry 5 still points at the old one.
        var chain = new org.medpki.core.audit.AuditChain();
        AuditEntry e4 = entry(4);
        byte[] newHash = chain.hash(e4.prevHash(), 4, e4.at(), e4.type(), "mallory", e4.outcome(), e4.details());
        asOwnerWithoutTriggers("UPDATE audit_event SET actor = 'mallory', hash = '\\x"
                + java.util.HexFormat.of().formatHex(newHash) + "' WHERE seq = 4");
        assertThat(verify().problems()).singleElement().asString().startsWith("entry 5 (type certificate.issued) does not follow entry 4");
    }

    @Test
    void aDeletedEntryIsNamed() throws Exception {
        recordTen();
        asOwnerWithoutTriggers("DELETE FROM audit_event WHERE seq IN (5, 6)");
        AuditReport report = verify();
        assertThat(report.entries()).isEqualTo(8);
        assertThat(report.problems()).containsExactly("entries 5..6 are missing");
    }

    @Test
    void swappedEntriesAreNamed() throws Exception {
        recordTen();
        // Swap entries 3 and 7: each keeps its contents and hashes but takes the other's seq.
        asOwnerWithoutTriggers(
                "CREATE TEMP TABLE s AS SELECT * FROM audit_event WHERE seq IN (3, 7)",
                "DELETE FROM audit_event WHERE seq IN (3, 7)",
                "INSERT INTO audit_event SELECT 10 - seq, at, type, actor, outcome, details, prev_hash, hash FROM s");
        List<String> problems = verify().problems();
        assertThat(problems).anyMatch(p -> p.startsWith("entry 3 (type certificate.issued) was altered"));
        assertThat(problems).anyMatch(p -> p.startsWith("entry 7 (type certificate.issued) was altered"));
        assertThat(problems).anyMatch(p -> p.startsWith("entry 3 (type certificate.issued) does not follow entry 2"));
        assertThat(problems).anyMatch(p -> p.startsWith("entry 4 (type certificate.issued) does not follow entry 3"));
    }

    @Test
    void aCutOffTailIsDetectedByTheHead() throws Exception {
        recordTen();
        asOwnerWithoutTriggers("DELETE FROM audit_event WHERE seq > 7");
        assertThat(verify().problems()).containsExactly(
                "the log ends at entry 7 but its head marker says 10: entries 8..10 were cut off the tail");
    }

    @Test
    void aCutOffTailWithARewoundHeadIsDetectedByTheCheckpoint() throws Exception {
        recordTen();
        KeyPair key = TestCertificates.ecKey();
        AuditCheckpoint cp = log.checkpoint(signer(key, "audit-key"));
        assertThat(cp.seq()).isEqualTo(10);
        asOwnerWithoutTriggers("DELETE FROM audit_event WHERE seq > 7",
                "UPDATE audit_head SET seq = 7, hash = (SELECT hash FROM audit_event WHERE seq = 7)");
        AuditReport report = new AuditVerifier(db.auditStore()).verify(key.getPublic());
        assertThat(report.problems()).singleElement().asString()
                .startsWith("checkpoint at entry 10 (signed ")
                .endsWith("lies beyond the last entry 7: entries 8..10 were cut off the tail");
    }

    @Test
    void checkpointsVerifyAndForgeriesFail() throws Exception {
        recordTen();
        KeyPair auditKey = TestCertificates.ecKey();
        log.checkpoint(signer(auditKey, "audit-key"));
        log.record(AuditEvent.failure(Instant.now(), "certificate.revoked", "cli:operator", Map.of()));
        AuditReport good = new AuditVerifier(db.auditStore()).verify(auditKey.getPublic());
        assertThat(good.problems()).isEmpty();
        assertThat(good.checkpointsVerified()).isEqualTo(1);
        assertThat(good.entries()).isEqualTo(11);

        // A second checkpoint at the new head, signed by a key that is not the audit key.
        log.checkpoint(signer(TestCertificates.ecKey(), "audit-key"));
        AuditReport forged = new AuditVerifier(db.auditStore()).verify(auditKey.getPublic());
        assertThat(forged.checkpointsVerified()).isEqualTo(1);
        assertThat(forged.problems()).singleElement().asString()
                .startsWith("checkpoint at entry 11 (signed ").endsWith("has a signature that does not verify with the audit key");
        // Without a key, signatures are not checked, hashes still are.
        assertThat(new AuditVerifier(db.auditStore()).verify(null).checkpointsVerified()).isEqualTo(2);
        assertThatThrownBy(() -> log.checkpoint(signer(auditKey, "audit-key")))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFLICT));
    }

    @Test
    void aCheckpointOverAnEditedEntryIsNamed() throws Exception {
        recordTen();
        KeyPair key = TestCertificates.ecKey();
        log.checkpoint(signer(key, "audit-key"));
        var chain = new org.medpki.core.audit.AuditChain();
        AuditEntry e10 = entry(10);
        byte[] newHash = chain.hash(e10.prevHash(), 10, e10.at(), e10.type(), "mallory", e10.outcome(), e10.details());
        String hex = java.util.HexFormat.of().formatHex(newHash);
        asOwnerWithoutTriggers("UPDATE audit_event SET actor = 'mallory', hash = '\\x" + hex + "' WHERE seq = 10",
                "ALTER TABLE audit_head DISABLE TRIGGER audit_head_forward",
                "UPDATE audit_head SET hash = '\\x" + hex + "'");
        assertThat(new AuditVerifier(db.auditStore()).verify(key.getPublic()).problems()).singleElement().asString()
                .startsWith("checkpoint at entry 10 (signed ").endsWith("does not match entry 10's hash");
    }

    @Test
    void concurrentRecordsFormOneValidChain() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(32);
        List<Future<List<Long>>> results = new ArrayList<>();
        for (int t = 0; t < 32; t++) {
            int thread = t;
            results.add(threads.submit(() -> {
                List<Long> seqs = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    seqs.add(log.record(AuditEvent.success(Instant.now(), "test.concurrent", "thread-" + thread,
                            Map.of("i", Integer.toString(i)))).seq());
                }
                return seqs;
            }));
        }
        Set<Long> seqs = new HashSet<>();
        for (Future<List<Long>> f : results) {
            seqs.addAll(f.get(5, TimeUnit.MINUTES));
        }
        threads.shutdown();
        assertThat(seqs).hasSize(3200);
        AuditReport report = verify();
        assertThat(report.problems()).isEmpty();
        assertThat(report.entries()).isEqualTo(3200);
        assertThat(report.newest()).get().extracting(AuditEntry::seq).isEqualTo(3200L);
    }

    @Test
    void recordQuietlyDoesNotThrowWhenTheStoreIsGone() {
        db.close();
        log.recordQuietly(AuditEvent.failure(Instant.now(), "certificate.issue", "acme:x", Map.of("why", "test")));
        assertThatThrownBy(() -> log.record(AuditEvent.failure(Instant.now(), "certificate.issue", "acme:x", Map.of())))
                .isInstanceOfSatisfying(PkiException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.DATABASE_UNAVAILABLE));
        db = null;
    }

    @Test
    void timestampsAreKeptToTheMicrosecond() {
        Instant at = Instant.parse("2026-11-24T10:15:30.123456789Z");
        AuditEntry entry = log.record(AuditEvent.success(at, "t", "a", Map.of()));
        assertThat(entry.at()).isEqualTo(Instant.parse("2026-11-24T10:15:30.123456Z"));
        assertThat(db.auditStore().head()).get().extracting(AuditEntry::at).isEqualTo(entry.at());
        assertThat(verify().ok()).isTrue();
    }

    private AuditEntry entry(long seq) {
        List<AuditEntry> found = new ArrayList<>();
        db.auditStore().forEach(seq, e -> {
            if (e.seq() == seq) {
                found.add(e);
            }
        });
        return found.getFirst();
    }

    private static AuditSigner signer(KeyPair key, String label) {
        return new AuditSigner() {
            @Override
            public String keyLabel() {
                return label;
            }

            @Override
            public String algorithm() {
                return "SHA256withECDSA";
            }

            @Override
            public byte[] sign(byte[] data) {
                try {
                    Signature s = Signature.getInstance("SHA256withECDSA");
                    s.initSign(key.getPrivate());
                    s.update(data);
                    return s.sign();
                } catch (java.security.GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }
}
