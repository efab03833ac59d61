package org.medpki.ops.adminclient;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents one certificate chain and key whatever the server asks for. The JDK's key managers
 * send no certificate when the server's list of acceptable issuers does not match; the admin API
 * then answers a plain 401, whereas sending the chosen identity gets the API's reason for
 * refusing it.
 */
final class FixedKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "admin";
    private final PrivateKey key;
    private final X509Certificate[] chain;

    FixedKeyManager(PrivateKey key, X509Certificate[] chain) {
        this.key = Objects.requireNonNull(key, "key");
        this.chain = chain.clone();
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return fits(keyType) ? new String[] {ALIAS} : null;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return choose(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return choose(keyTypes);
    }

    // The handshake asks per key type (EC, RSA, ...); only the key's own type fits.
    private String choose(String[] keyTypes) {
        for (String t : keyTypes) {
            if (fits(t)) {
                return ALIAS;
            }
        }
        return null;
    }

    private boolean fits(String keyType) {
        return keyType != null && keyType.equals(key.getAlgorithm());
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null; // a client identity only
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? key : null;
    }
}
