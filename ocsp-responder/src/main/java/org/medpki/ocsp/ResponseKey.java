package org.medpki.ocsp;

import java.math.BigInteger;
import java.util.Objects;

/** Which pre-signed response: a certificate of an issuing CA, for CertIDs hashed with {@code hash}. */
public record ResponseKey(long caId, BigInteger serial, CertIdHash hash) {
    public ResponseKey {
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(hash, "hash");
    }
}
