package org.medpki.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

class AuditLogTest {

    private final Clock clock = Clock.fixed(Instant.parse("2026-11-24T12:00:00Z"), ZoneOffset.UTC);

    @Test
    void concurrentRecordsAreBatchedIntoOneOrderedChain() throws Exception {
        InMemoryAuditStore store = new InMemoryAuditStore();
        try (AuditLog log = new AuditLog(store, clock)) {
            ExecutorService threads = Executors.newFixedThreadPool(16);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        log.record(AuditEvent.success(Instant.now(), "t", "a", Map.of("i", "" + i)));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(2, TimeUnit.MINUTES);
            }
            threads.shutdown();
        }
        assertThat(store.count()).isEqualTo(3200);
        assertThat(store.batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(3200);
        AuditReport report = new AuditVerifier(store).verify(null);
        assertThat(report.problems()).isEmpty();
        assertThat(report.newest()).get().extracting(AuditEntry::seq).isEqualTo(3200L);
    }

    @Test
    void aFailingStoreFailsTheCallersAndRecordQuietlyDoesNotThrow() {
        AuditStore broken = new InMemoryAuditStore() {
            @Override
            public synchronized List<AuditEntry> append(List<AuditEvent> events, AuditChain chain) {
                throw new PkiException(ErrorKind.DATABASE_UNAVAILABLE, "the inventory database at h:1/d is unreachable: down");
            }
        };
        try (AuditLog log = new AuditLog(broken, clock)) {
            AuditEvent event = AuditEvent.failure(Instant.now(), "t", "a", Map.of("secret-ish", "x"));
            assertThatThrownBy(() -> log.record(event)).isInstanceOfSatisfying(PkiException.class,
                    e -> assertThat(e.kind()).isEqualTo(ErrorKind.DATABASE_UNAVAILABLE));
            log.recordQuietly(event);
        }
    }

    @Test
    void recordAfterCloseFails() {
        AuditLog log = new AuditLog(new InMemoryAuditStore(), clock);
        log.close();
        assertThatThrownBy(() -> log.record(AuditEvent.success(Instant.now(), "t", "a", Map.of())))
                .isInstanceOf(PkiException.class).hasMessageContaining("closed");
    }

    @Test
    void checkpointSignsTheHeadAndVerifies() throws Exception {
        InMemoryAuditStore store = new InMemoryAuditStore();
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair key = g.generateKeyPair();
        AuditSigner signer = new AuditSigner() {
            @Override public String keyLabel() { return "audit"; }
            @Override public String algorithm() { return "SHA256withECDSA"; }
            @Override public byte[] sign(byte[] data) {
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
        try (AuditLog log = new AuditLog(store, clock)) {
            assertThatThrownBy(() -> log.checkpoint(signer)).isInstanceOfSatisfying(PkiException.class,
                    e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
            log.record(AuditEvent.success(Instant.now(), "t", "a", Map.of()));
            AuditEntry second = log.record(AuditEvent.success(Instant.now(), "t", "a", Map.of()));
            AuditCheckpoint cp = log.checkpoint(signer);
            assertThat(cp.seq()).isEqualTo(2);
            assertThat(cp.hash()).isEqualTo(second.hash());
            assertThat(cp.signedAt()).isEqualTo(clock.instant());
        }
        AuditReport report = new AuditVerifier(store).verify(key.getPublic());
        assertThat(report.ok()).isTrue();
        assertThat(report.checkpointsVerified()).isEqualTo(1);
    }
}
