package org.medpki.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The verifier's findings on hand-made damage; the database-level tampering is in inventory-pg. */
class AuditVerifierTest {

    private final AuditChain chain = new AuditChain();

    private InMemoryAuditStore tenEntries() {
        InMemoryAuditStore store = new InMemoryAuditStore();
        for (int i = 0; i < 10; i++) {
            store.append(java.util.List.of(AuditEvent.success(Instant.now(), "e" + (i + 1), "a", Map.of())), chain);
        }
        return store;
    }

    @Test
    void anIntactLogIsOkAndAnEmptyOneToo() {
        assertThat(new AuditVerifier(tenEntries()).verify(null).ok()).isTrue();
        AuditReport empty = new AuditVerifier(new InMemoryAuditStore()).verify(null);
        assertThat(empty.ok()).isTrue();
        assertThat(empty.entries()).isZero();
        assertThat(empty.oldest()).isEmpty();
    }

    @Test
    void namesEditedMissingAndTruncatedEntries() {
        InMemoryAuditStore store = tenEntries();
        AuditEntry e3 = store.entries.get(3L);
        store.entries.put(3L, new AuditEntry(3, e3.at(), e3.type(), "mallory", e3.outcome(), e3.details(),
                e3.prevHash(), e3.hash()));
        store.entries.remove(6L);
        store.entries.remove(10L);
        assertThat(new AuditVerifier(store).verify(null).problems()).containsExactly(
                "entry 3 (type e3) was altered: its hash does not match its contents",
                "entry 6 is missing",
                "the log ends at entry 9 but its head marker says 10: entry 10 was cut off the tail");
    }

    @Test
    void aMissingFirstEntryIsNamed() {
        InMemoryAuditStore store = tenEntries();
        store.entries.remove(1L);
        assertThat(new AuditVerifier(store).verify(null).problems()).containsExactly("entry 1 is missing");
    }
}
