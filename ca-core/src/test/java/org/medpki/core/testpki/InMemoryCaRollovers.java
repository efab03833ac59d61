package org.medpki.core.testpki;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.CaRollover;
import org.medpki.core.hierarchy.CaRollovers;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.NewCa;

/**
 * {@link CaRollovers} in memory, over an {@link InMemoryInventory} for the CA rows, with the
 * rules of table ca_rollover: one open rollover per CA, a generation and a key label once each.
 * {@link #failNextCompletion()} makes the next completion fail before anything is recorded, as a
 * crash between the key and the certificate would.
 */
public final class InMemoryCaRollovers implements CaRollovers {
    private final InMemoryInventory inventory;
    private final List<CaRollover> rows = new ArrayList<>();
    private boolean failNext;

    public InMemoryCaRollovers(InMemoryInventory inventory) {
        this.inventory = inventory;
    }

    public synchronized void failNextCompletion() {
        failNext = true;
    }

    @Override
    public synchronized CaRollover plan(String issuerName, int generation, long previousCaId, String keyLabel,
                                        Instant switchAt, String requestedBy, Instant plannedAt) {
        if (rows.stream().anyMatch(r -> r.issuerName().equals(issuerName) && (!r.completed() || r.generation() == generation)
                || r.keyLabel().equals(keyLabel))) {
            throw new PkiException(ErrorKind.CONFLICT, "a rollover of " + issuerName + " is under way already");
        }
        CaRollover r = new CaRollover(rows.size() + 1, issuerName, generation, previousCaId, keyLabel, switchAt,
                requestedBy, plannedAt, null, null);
        rows.add(r);
        return r;
    }

    @Override
    public synchronized Optional<CaRollover> open(String issuerName) {
        return rows.stream().filter(r -> r.issuerName().equals(issuerName) && !r.completed()).findFirst();
    }

    @Override
    public synchronized CaRecord complete(CaRollover rollover, NewCa ca, Instant completedAt) {
        if (failNext) {
            failNext = false;
            throw new PkiException(ErrorKind.DATABASE_UNAVAILABLE, "the database went away");
        }
        CaRecord record = inventory.saveCa(ca);
        rows.replaceAll(r -> r.id() == rollover.id() ? new CaRollover(r.id(), r.issuerName(), r.generation(),
                r.previousCaId(), r.keyLabel(), r.switchAt(), r.requestedBy(), r.plannedAt(), record.id(), completedAt) : r);
        return record;
    }

    @Override
    public synchronized List<CaRollover> all() {
        return List.copyOf(rows);
    }
}
