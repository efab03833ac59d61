package org.medpki.core.retirement;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Port: the records of destroyed keys (append-only; the store refuses a change or a second record
 * of one key) and what key retirement needs to know of the certificates a key signed. Calls
 * block. Failures are PkiExceptions: CONFLICT for a key recorded already, DATABASE_UNAVAILABLE.
 */
public interface KeyDestructions {

    /** Stores the record of a destroyed key. CONFLICT when that key (its SHA-256) has a record. */
    void record(KeyDestruction destruction);

    /** Every record, oldest first. */
    List<KeyDestruction> all();

    /** The record of the key with this SPKI SHA-256 (lower-case hex), if it was destroyed. */
    default Optional<KeyDestruction> of(String keySha256) {
        return all().stream().filter(d -> d.keySha256().equals(keySha256)).findFirst();
    }

    /**
     * The end-entity certificates signed by any of the CA rows {@code caIds}: how many are issued,
     * unrevoked and unexpired at {@code now} (with one such serial, to name it), and the latest
     * notAfter of all of them whatever their status (null when there are none).
     */
    IssuedUnder issuedUnder(Set<Long> caIds, Instant now);

    /** See {@link #issuedUnder}. */
    record IssuedUnder(long valid, BigInteger aValidSerial, Instant lastNotAfter) {
    }
}
