package org.medpki.core.hierarchy;

import org.medpki.core.audit.AuditSigner;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.keys.SigningKeys;

/** Signs audit checkpoints with the audit key in the token. */
public record HsmAuditSigner(SigningKeys keys, String keyLabel, SignatureAlgorithm signatureAlgorithm)
        implements AuditSigner {

    public static HsmAuditSigner of(SigningKeys keys, CaCertificate auditSigner) {
        return new HsmAuditSigner(keys, auditSigner.keyLabel(), auditSigner.signatureAlgorithm());
    }

    @Override
    public String algorithm() {
        return signatureAlgorithm.jcaName();
    }

    @Override
    public byte[] sign(byte[] data) {
        return keys.sign(keyLabel, signatureAlgorithm, data);
    }
}
