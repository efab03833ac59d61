package org.medpki.core.audit;

/**
 * Signs audit checkpoints, normally with the audit key in the HSM. {@link #algorithm()} is a JCA
 * signature name ({@code SHA256withECDSA}, see {@code SignatureAlgorithm.jcaName()}) and
 * {@link #sign} returns the signature in the encoding {@link java.security.Signature} verifies
 * (DER SEQUENCE{r,s} for ECDSA).
 */
public interface AuditSigner {
    String keyLabel();

    String algorithm();

    byte[] sign(byte[] data);
}
