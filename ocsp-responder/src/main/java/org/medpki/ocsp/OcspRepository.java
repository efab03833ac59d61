package org.medpki.ocsp;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Port: what the responder reads and keeps in the inventory database: the certificates' status
 * (read only) and its own pre-signed responses. The PostgreSQL adapter is inventory-pg's
 * {@code PgOcspRepository}. Calls block: never on an event loop. Failures are
 * {@link org.medpki.core.error.PkiException}s (DATABASE_UNAVAILABLE when the database is away).
 */
public interface OcspRepository {

    /** A stored response: its certificate, status (wire name), signer and times, and the DER. */
    record Stored(long caId, BigInteger serial, String status, long signerId, Instant thisUpdate,
                  Instant nextUpdate, byte[] der) {
    }

    /** A certificate to (re-)sign: (ca, serial). */
    record Due(long caId, BigInteger serial) {
    }

    /** The certificate's status in the inventory: a pending intent or no row at all is unknown. */
    CertState state(long caId, BigInteger serial);

    /** The stored response of a certificate, whatever its age. */
    Optional<Stored> stored(long caId, BigInteger serial);

    /**
     * Stores (or replaces) a certificate's response; a 'good' never replaces a 'revoked' (another
     * responder may have signed the revocation in between).
     */
    void save(long caId, BigInteger serial, SignedResponse response);

    /** Current responses (nextUpdate after {@code now}), newest first, at most {@code limit}: to warm the cache. */
    List<Stored> current(Instant now, int limit);

    /** Every current response, by CA and serial: for 'pki ocsp export'. */
    List<Stored> all(Instant now);

    /**
     * Certificates of {@code servedCas}, issued or revoked and not yet expired, whose stored
     * response was signed before {@code signedBefore} or by a signer not in {@code currentSigners},
     * or that have none yet (issued before the responder ran, or a lost notification); those
     * without a response first, then the oldest, at most {@code limit}.
     */
    List<Due> due(Instant signedBefore, long[] servedCas, long[] currentSigners, int limit);

    /**
     * What {@link #due} finds between two of its passes, read through indexes only, so that the
     * minute-by-minute look-up costs what is due and not what the inventory holds: certificates of
     * {@code servedCas} issued since {@code issuedSince} (not pending, not expired) without a
     * response, first; then responses signed from {@code liveSince} to before {@code signedBefore}
     * whose certificate is issued or revoked and not expired, the oldest first; at most
     * {@code limit}. Responses older than {@code liveSince}, by a replaced signer, or missing for an
     * older certificate are left to {@link #due}.
     */
    List<Due> dueSince(Instant issuedSince, Instant liveSince, Instant signedBefore, long[] servedCas, int limit);

    /** Revoked certificates of the served CAs: re-checked after an interrupted notification subscription. */
    List<Due> revoked(long[] servedCas);
}
