package org.medpki.ops.adminclient;

import javax.net.ssl.X509KeyManager;

/**
 * The administrator's client certificate and the key that proves it in the TLS handshake: files
 * ({@link PemIdentity}) or a key that never leaves a PKCS#11 token ({@link TokenIdentity}).
 */
public sealed interface ClientIdentity permits PemIdentity, TokenIdentity {

    /** A key manager that always presents this identity; opening a token logs in to it here. */
    X509KeyManager open();

    /** What to name in an error message: files or token, never a secret. */
    String describe();
}
