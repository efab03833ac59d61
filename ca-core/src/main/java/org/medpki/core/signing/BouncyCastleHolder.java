package org.medpki.core.signing;

import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/** One BouncyCastle provider instance for verification, not registered globally. */
final class BouncyCastleHolder {
    static final Provider PROVIDER = new BouncyCastleProvider();

    private BouncyCastleHolder() {
    }
}
