package org.medpki.acme;

/** The RFC 8555 section 6.7 (and RFC 9773) problem types this server sends, with their HTTP status. */
public enum ProblemType {
    BAD_NONCE("badNonce", 400),
    MALFORMED("malformed", 400),
    UNAUTHORIZED("unauthorized", 403),
    BAD_SIGNATURE_ALGORITHM("badSignatureAlgorithm", 400),
    BAD_PUBLIC_KEY("badPublicKey", 400),
    BAD_CSR("badCSR", 400),
    REJECTED_IDENTIFIER("rejectedIdentifier", 400),
    UNSUPPORTED_IDENTIFIER("unsupportedIdentifier", 400),
    CAA("caa", 403),
    DNS("dns", 400),
    CONNECTION("connection", 400),
    INCORRECT_RESPONSE("incorrectResponse", 403),
    TLS("tls", 400),
    RATE_LIMITED("rateLimited", 429),
    ACCOUNT_DOES_NOT_EXIST("accountDoesNotExist", 400),
    EXTERNAL_ACCOUNT_REQUIRED("externalAccountRequired", 400),
    ORDER_NOT_READY("orderNotReady", 403),
    ALREADY_REVOKED("alreadyRevoked", 400),
    BAD_REVOCATION_REASON("badRevocationReason", 400),
    UNSUPPORTED_CONTACT("unsupportedContact", 400),
    /** draft-ietf-acme-profiles: the order names a profile this server does not offer. */
    INVALID_PROFILE("invalidProfile", 400),
    NOT_FOUND("malformed", 404),
    METHOD_NOT_ALLOWED("malformed", 405),
    CONFLICT("conflict", 409),
    SERVER_INTERNAL("serverInternal", 500);

    private final String name;
    private final int status;

    ProblemType(String name, int status) {
        this.name = name;
        this.status = status;
    }

    public String urn() {
        return "urn:ietf:params:acme:error:" + name;
    }

    public int status() {
        return status;
    }
}
