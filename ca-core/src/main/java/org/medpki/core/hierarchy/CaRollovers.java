package org.medpki.core.hierarchy;

import java.util.List;
import java.util.Optional;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.NewCa;

/**
 * Port: the record of issuing-CA rollovers. A rollover is planned (its key label written) before
 * the key is generated, and completed (the new generation's CA row written and the rollover marked
 * done, in one transaction, announced on {@link #CHANNEL}) after the root signed its certificate;
 * at most one rollover of a CA is open at a time. Failures are PkiExceptions: CONFLICT when a
 * rollover of that CA is open already (or a generation or label is taken), DATABASE_UNAVAILABLE.
 */
public interface CaRollovers {
    /** NOTIFY channel of a completed rollover; the payload is the new generation's CA id. */
    String CHANNEL = "pki_ca_rollover";

    /** No rollovers at all: an installation or a test without them. */
    CaRollovers NONE = new CaRollovers() {
        @Override
        public CaRollover plan(String issuerName, int generation, long previousCaId, String keyLabel,
                               java.time.Instant switchAt, String requestedBy, java.time.Instant plannedAt) {
            throw new org.medpki.core.error.PkiException(org.medpki.core.error.ErrorKind.CONFIGURATION,
                    "this installation records no CA rollovers");
        }

        @Override
        public Optional<CaRollover> open(String issuerName) {
            return Optional.empty();
        }

        @Override
        public CaRecord complete(CaRollover rollover, NewCa ca, java.time.Instant completedAt) {
            throw new org.medpki.core.error.PkiException(org.medpki.core.error.ErrorKind.CONFIGURATION,
                    "this installation records no CA rollovers");
        }

        @Override
        public List<CaRollover> all() {
            return List.of();
        }
    };

    /** Records a planned rollover; CONFLICT when one of that CA is open or the generation exists. */
    CaRollover plan(String issuerName, int generation, long previousCaId, String keyLabel,
                    java.time.Instant switchAt, String requestedBy, java.time.Instant plannedAt);

    /** The rollover of this CA that was planned and not completed (a run that stopped half-way). */
    Optional<CaRollover> open(String issuerName);

    /** Records the new generation's CA row and completes the rollover, in one transaction. */
    CaRecord complete(CaRollover rollover, NewCa ca, java.time.Instant completedAt);

    /** Every rollover, planned or completed, by id. */
    List<CaRollover> all();
}
