package org.medpki.core.inventory;

import java.util.Locale;

/** The part a PKI certificate plays in the hierarchy. */
public enum CaRole {
    ROOT, ISSUING, OCSP_SIGNER, AUDIT;

    /** root, issuing, ocsp-signer, audit: the names used in status output and the database. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static CaRole ofWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
