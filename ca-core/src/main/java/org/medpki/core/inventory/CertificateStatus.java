package org.medpki.core.inventory;

/**
 * Lifecycle of an end-entity certificate in the inventory. PENDING is the intent row written
 * before the HSM signs: a serial and to-be-signed certificate that was never handed out.
 */
public enum CertificateStatus {
    PENDING, ISSUED, REVOKED
}
