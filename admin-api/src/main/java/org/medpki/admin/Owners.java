package org.medpki.admin;

import java.math.BigInteger;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.medpki.core.inventory.CertificateRecord;

/**
 * The owners of certificates (a person or a team, with the address expiry notices go to), what
 * each certificate's owner, location and tags are, and the ACME account contacts and EAB keys
 * whose certificates an owner gets at issuance (the owner tables of the inventory).
 */
public interface Owners {
    Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._@-]{0,127}");
    /** An e-mail address as the owner tables accept it (no display name, no list). */
    Pattern ADDRESS = Pattern.compile("[^@\\s<>\",;]{1,64}@[A-Za-z0-9.-]{1,253}");
    Pattern TAG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}");

    /** An owner, with the ACME account contacts (addresses) and EAB key ids mapped to it. */
    record Owner(String name, String contact, String location, List<String> acmeContacts, List<String> eabKeys) {
        public Owner {
            Objects.requireNonNull(name, "name");
            acmeContacts = List.copyOf(acmeContacts);
            eabKeys = List.copyOf(eabKeys);
        }
    }

    /** A certificate's owner data; {@code owner} may be null (tags or a location without an owner). */
    record Ownership(String owner, String location, List<String> tags) {
        public static final Ownership NONE = new Ownership(null, null, List.of());

        public Ownership {
            tags = List.copyOf(tags);
        }
    }

    /**
     * Creates or updates {@code owner} and replaces its mappings, atomically; certificates already
     * issued to the mapped ACME accounts and EAB keys that have no owner get this one. Returns how
     * many certificates did. BAD_REQUEST naming an EAB key that does not exist or an ACME contact
     * that another owner has.
     */
    int put(Owner owner, String by);

    Optional<Owner> owner(String name);

    /** Owners by name, at most {@code limit}. */
    List<Owner> owners(int limit);

    /** Sets the certificate's owner data. NOT_FOUND when the owner is unknown. */
    void assign(long caId, BigInteger serial, Ownership ownership, String by);

    /** The owner data of these certificates, keyed by {@link #key}; certificates without any are absent. */
    Map<String, Ownership> ownership(Collection<CertificateRecord> certificates);

    /** The serials of the certificates ACME issued to this account (at most {@code limit}). */
    List<BigInteger> serialsOfAccount(String accountId, int limit);

    /** The serials of the certificates ACME issued to accounts bound to this EAB key (at most {@code limit}). */
    List<BigInteger> serialsOfEabKey(String kid, int limit);

    static String key(long caId, BigInteger serial) {
        return caId + ":" + serial.toString(16);
    }
}
