package org.medpki.ocsp;

import java.time.Instant;
import java.util.Objects;
import org.medpki.core.revocation.RevocationReason;

/** What a response says about one certificate (RFC 6960 4.2.1 CertStatus). */
public sealed interface CertState {

    /** The wire name, as stored in ocsp_response.status. */
    String wireName();

    record Good() implements CertState {
        @Override
        public String wireName() {
            return "good";
        }
    }

    record Revoked(Instant at, RevocationReason reason) implements CertState {
        public Revoked {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String wireName() {
            return "revoked";
        }
    }

    /** Not issued by this CA as far as the inventory knows (or only planned: a pending intent). */
    record Unknown() implements CertState {
        @Override
        public String wireName() {
            return "unknown";
        }
    }

    CertState GOOD = new Good();
    CertState UNKNOWN = new Unknown();
}
