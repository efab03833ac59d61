package org.medpki.acme;

import java.security.SecureRandom;
import java.util.Base64;

/** Random ids for ACME resources, nonces and EAB keys: 128 bits, URL-safe, unguessable. */
public final class AcmeIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private AcmeIds() {
    }

    /** A random URL-safe id of 128 bits (22 characters). */
    public static String newId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
