package org.medpki.core.error;

/**
 * What went wrong, in terms a front end can map to its protocol. Each kind maps to exactly one
 * RFC 8555 problem type in the ACME front end and to one exit status in the command line.
 */
public enum ErrorKind {
    /** The request is syntactically wrong (bad DER, missing field). */
    MALFORMED,
    /** The CSR is unparseable, its signature does not verify, or it asks for what the profile forbids. */
    BAD_CSR,
    /** The public key is weak, of an unsupported type, or known to be broken (ROCA). */
    BAD_PUBLIC_KEY,
    /** The signature algorithm is not allowed. */
    BAD_SIGNATURE_ALGORITHM,
    /** A requested name is outside what the profile or the requester may have. */
    REJECTED_IDENTIFIER,
    /** The named profile does not exist. */
    UNKNOWN_PROFILE,
    /** The named object (certificate, CA, account) does not exist. */
    NOT_FOUND,
    /** The certificate is already revoked. */
    ALREADY_REVOKED,
    /** The revocation reason is not one that may be used. */
    BAD_REVOCATION_REASON,
    /** The caller may not do this. */
    UNAUTHORIZED,
    /** A uniqueness rule was hit (duplicate serial, second ceremony). */
    CONFLICT,
    /** The configuration is invalid; the detail names the failing key. */
    CONFIGURATION,
    /** The HSM token is absent or the session was lost and could not be re-established. */
    TOKEN_UNAVAILABLE,
    /** The token refused the PIN. The detail never contains the PIN. */
    TOKEN_LOGIN_FAILED,
    /** A key that should be in the token is not there. */
    KEY_NOT_FOUND,
    /** The CA service cannot be reached (a front end calling it over the CA API); worth a retry. */
    CA_UNAVAILABLE,
    /** The inventory database cannot be reached. */
    DATABASE_UNAVAILABLE,
    /** The certificate or CRL failed lint; nothing was signed. */
    LINT_FAILED,
    /** Anything else; the detail stays inside the process. */
    INTERNAL
}
