package org.medpki.core.retirement;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.inventory.CertificateRecord;
import org.medpki.core.inventory.CertificateStatus;
import org.medpki.core.testpki.InMemoryInventory;

/** {@link KeyDestructions} in memory over an {@link InMemoryInventory}, as PgKeyDestructions answers. */
final class InMemoryKeyDestructions implements KeyDestructions {
    private final List<KeyDestruction> records = new ArrayList<>();
    private final InMemoryInventory inventory;

    InMemoryKeyDestructions(InMemoryInventory inventory) {
        this.inventory = inventory;
    }

    @Override
    public synchronized void record(KeyDestruction destruction) {
        if (records.stream().anyMatch(d -> d.keySha256().equals(destruction.keySha256()))) {
            throw new PkiException(ErrorKind.CONFLICT, "key " + destruction.keySha256() + " is recorded already");
        }
        records.add(destruction);
    }

    @Override
    public synchronized List<KeyDestruction> all() {
        return List.copyOf(records);
    }

    @Override
    public IssuedUnder issuedUnder(Set<Long> caIds, Instant now) {
        long valid = 0;
        BigInteger aValid = null;
        Instant last = null;
        for (CertificateRecord c : inventory.all()) {
            if (!caIds.contains(c.caId()) || c.status() == CertificateStatus.PENDING) {
                continue;
            }
            last = last == null || c.notAfter().isAfter(last) ? c.notAfter() : last;
            if (c.status() == CertificateStatus.ISSUED && c.notAfter().isAfter(now)) {
                valid++;
                aValid = aValid == null || c.serial().compareTo(aValid) < 0 ? c.serial() : aValid;
            }
        }
        return new IssuedUnder(valid, aValid, last);
    }
}
