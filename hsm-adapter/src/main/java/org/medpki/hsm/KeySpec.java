package org.medpki.hsm;

import java.math.BigInteger;
import org.medpki.core.keys.KeyAlgorithm;

/**
 * How a key type is generated on a PKCS#11 token: its CKK_ key type, the generation mechanism and
 * either the named curve or the RSA modulus size.
 */
record KeySpec(KeyAlgorithm algorithm, long keyType, long generationMechanism, String curveOid, int modulusBits) {

    /** e = 65537, as every CA/B Forum and PKIX profile expects. */
    static final BigInteger RSA_PUBLIC_EXPONENT = BigInteger.valueOf(65537);

    boolean isRsa() {
        return curveOid == null;
    }
}
