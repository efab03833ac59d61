package org.medpki.ops.install;

/**
 * The PostgreSQL login a process uses: each service connects as its own role with only the grants
 * it needs (migrations V2/V3 and later); only the owner runs migrations.
 */
public enum DatabaseRole {
    /** Owns the schema; runs migrations ('pki init', 'pki db migrate'). */
    OWNER,
    /** The CA service and the CA host's command line: issuance, revocation, CRL signing, audit. */
    CA,
    /** The ACME front end. */
    ACME,
    /** The OCSP responder. */
    OCSP,
    /** The CRL publisher and repository. */
    CRL,
    /** Reads everything, changes nothing: reports and inventory listings. */
    AUDITOR,
    /** The admin API: reads the inventory, the audit log and the administrators; appends audit entries. */
    ADMIN,
    /** The device enrollment front ends (EST, CMP, SCEP): the device registry, the certificates they had issued. */
    ENROLL
}
