package org.medpki.admin;

import java.math.BigInteger;
import java.util.Optional;

/** The administrators and the certificates that authenticate them (the admin tables of the inventory). */
public interface AdminRegistry {
    /** The administrator whose certificate this is (issuing CA and serial), if any. */
    Optional<Admin> holder(long caId, BigInteger serial);

    /**
     * Records {@code admin} (new, or with these roles from now on) as the holder of the certificate,
     * atomically; returns the roles held before, empty for a new administrator.
     */
    Optional<Admin> enroll(Admin admin, long caId, BigInteger serial, String enrolledBy);
}
