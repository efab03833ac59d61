package org.medpki.acme;

import java.util.Objects;

/**
 * The ACME server's own TLS identity: a private key and its certificate chain, as PEM. It is the
 * ACME service's certificate (profile service, CN acme, named for the public host and 127.0.0.1),
 * made on the CA host and renewed through the CA API; the key is a software key (it protects the
 * transport, not the CA).
 */
public record ServerCertificate(String keyPem, String chainPem) {
    public ServerCertificate {
        Objects.requireNonNull(keyPem, "keyPem");
        Objects.requireNonNull(chainPem, "chainPem");
    }
}
