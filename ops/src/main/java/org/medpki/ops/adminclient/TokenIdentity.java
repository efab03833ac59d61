package org.medpki.ops.adminclient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.X509KeyManager;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.hsm.TokenSlots;

/**
 * A client key that stays on a PKCS#11 token (a smart card, an HSM partition), with its
 * certificate stored beside it on the token under the same CKA_ID, as smart-card tools do.
 * The JDK's SunPKCS11 provider signs the handshake on the token; the PIN comes from
 * {@value #PIN_VARIABLE} or is typed at the terminal.
 */
public record TokenIdentity(Path module, String tokenLabel, String keyLabel, Map<String, String> env)
        implements ClientIdentity {
    public static final String PIN_VARIABLE = "PKI_ADMIN_PIN";

    public TokenIdentity {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(tokenLabel, "tokenLabel");
        env = Map.copyOf(env);
    }

    @Override
    public X509KeyManager open() {
        if (!Files.isRegularFile(module)) {
            throw new PkiException(ErrorKind.MALFORMED, "--pkcs11-module " + module + ": no such file");
        }
        // SunPKCS11 names a slot, not a label; the label is what survives re-initialising a token.
        long slot = TokenSlots.slotOf(module.toString(), tokenLabel);
        Provider provider;
        try {
            provider = Security.getProvider("SunPKCS11").configure("--name=medpki-admin\nlibrary=" + module
                    + "\nslot=" + slot + "\n");
        } catch (RuntimeException e) {
            throw new PkiException(ErrorKind.TOKEN_UNAVAILABLE, "the PKCS#11 module " + module
                    + " could not be opened: " + e.getClass().getSimpleName());
        }
        // The handshake's Signature is looked up among installed providers; only this one holds the key.
        Security.addProvider(provider);
        KeyStore store = login(provider);
        String alias = alias(store);
        try {
            PrivateKey key = (PrivateKey) store.getKey(alias, null);
            Certificate[] chain = store.getCertificateChain(alias);
            return new FixedKeyManager(key, Arrays.stream(chain).map(X509Certificate.class::cast)
                    .toArray(X509Certificate[]::new));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new PkiException(ErrorKind.TOKEN_UNAVAILABLE, "the key '" + alias + "' on the token '" + tokenLabel
                    + "' cannot be used: " + e.getClass().getSimpleName());
        }
    }

    @Override
    public String describe() {
        return "token '" + tokenLabel + "'" + (keyLabel == null ? "" : " key '" + keyLabel + "'");
    }

    private KeyStore login(Provider provider) {
        char[] pin = SecretInput.read(env, PIN_VARIABLE, "the PIN of the token '" + tokenLabel + "'");
        try {
            KeyStore store = KeyStore.getInstance("PKCS11", provider);
            store.load(null, pin);
            return store;
        } catch (IOException e) {
            // SunPKCS11 wraps the token's answer (CKR_PIN_INCORRECT, CKR_PIN_LOCKED) in an IOException.
            throw new PkiException(ErrorKind.TOKEN_LOGIN_FAILED, "the token '" + tokenLabel
                    + "' refused the login: " + loginReason(e));
        } catch (GeneralSecurityException e) {
            throw new PkiException(ErrorKind.TOKEN_UNAVAILABLE, "the token '" + tokenLabel + "' cannot be read: "
                    + e.getClass().getSimpleName());
        } finally {
            Arrays.fill(pin, '\0');
        }
    }

    private static String loginReason(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (m != null && m.contains("CKR_")) {
                return m.substring(m.indexOf("CKR_")).split("\\s")[0];
            }
        }
        return "wrong PIN?";
    }

    /** The entry named by --key-label, or the token's only key with a certificate. */
    private String alias(KeyStore store) {
        List<String> keys = new ArrayList<>();
        try {
            for (String a : Collections.list(store.aliases())) {
                if (store.isKeyEntry(a)) {
                    keys.add(a);
                }
            }
        } catch (GeneralSecurityException e) {
            throw new PkiException(ErrorKind.TOKEN_UNAVAILABLE, "the token '" + tokenLabel + "' cannot be listed: "
                    + e.getClass().getSimpleName());
        }
        if (keyLabel != null) {
            if (!keys.contains(keyLabel)) {
                throw new PkiException(ErrorKind.KEY_NOT_FOUND, "the token '" + tokenLabel + "' has no key labelled '"
                        + keyLabel + "' with its certificate beside it" + present(keys));
            }
            return keyLabel;
        }
        if (keys.size() != 1) {
            throw new PkiException(keys.isEmpty() ? ErrorKind.KEY_NOT_FOUND : ErrorKind.MALFORMED, "the token '"
                    + tokenLabel + "' has " + keys.size() + " keys with a certificate beside them"
                    + (keys.isEmpty() ? " (store the certificate on the token under the key's CKA_ID)"
                    : ": name one with --key-label" + present(keys)));
        }
        return keys.getFirst();
    }

    private static String present(List<String> keys) {
        return keys.isEmpty() ? "" : " (present: " + String.join(", ", keys) + ")";
    }
}
