package org.medpki.caapi;

/** The calls of the CA API, as they appear in audit entries and metrics. */
public enum CaApiOperation {
    ISSUE("issue"),
    REVOKE("revoke"),
    PUBLISH_CRL("publish-crl"),
    CERTIFY_OCSP_SIGNER("certify-ocsp-signer"),
    RENEW_SERVICE_CERTIFICATE("renew-service-certificate"),
    REVOKE_CA("revoke-ca"),
    DESTROY_KEY("destroy-key"),
    ROLLOVER_CA("rollover-ca");

    private final String wireName;

    CaApiOperation(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
