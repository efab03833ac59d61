package org.medpki.admin;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The administrators and the certificates that authenticate them (the admin tables of the inventory). */
public interface AdminRegistry {
    /** An administrator with the serials (hex) of the certificates enrolled for them. */
    record Enrolled(Admin admin, List<String> certificates) {
        public Enrolled {
            certificates = List.copyOf(certificates);
        }
    }

    /** The administrator whose certificate this is (issuing CA and serial), if any. */
    Optional<Admin> holder(long caId, BigInteger serial);

    /**
     * Records {@code admin} (new, or with these roles from now on) as the holder of the certificate,
     * atomically; returns the roles held before, empty for a new administrator.
     */
    Optional<Admin> enroll(Admin admin, long caId, BigInteger serial, String enrolledBy);

    Optional<Admin> admin(String name);

    /** Every administrator, by name. */
    List<Enrolled> all();

    /** Gives {@code name} these roles from now on; NOT_FOUND when nobody has that name. */
    void setRoles(String name, Set<AdminRole> roles);
}
