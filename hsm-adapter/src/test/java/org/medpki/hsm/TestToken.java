package org.medpki.hsm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.HexFormat;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.medpki.core.keys.SignatureAlgorithm;

/** The SoftHSM2 token that ops/test makes for each run, and helpers to check its signatures. */
final class TestToken {
    static final String LABEL = "medpki-test";
    static final String PIN_VARIABLE = "PKI_TEST_TOKEN_PIN";
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestToken() {
    }

    static String module() {
        require("SOFTHSM2_CONF");
        if (!Files.isRegularFile(Path.of(System.getenv("SOFTHSM2_CONF")))) {
            throw new IllegalStateException("SOFTHSM2_CONF does not name a file: run these tests through ops/test");
        }
        return require("PKI_TEST_SOFTHSM_MODULE");
    }

    static String pin() {
        return require(PIN_VARIABLE);
    }

    static TokenConfig config(int sessions) {
        pin();
        return new TokenConfig(module(), LABEL, new PinSource.Environment(PIN_VARIABLE), sessions);
    }

    static String require(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank() || value.startsWith("${")) {
            throw new IllegalStateException(name + " is not set: these tests need the SoftHSM2 token that ops/test"
                    + " makes; run them through ops/test (for example: ops/test -pl hsm-adapter -am)");
        }
        return value;
    }

    /** A label no other test (or earlier run on a kept token) uses. */
    static String uniqueLabel(String prefix) {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return prefix + "-" + HexFormat.of().formatHex(b);
    }

    static byte[] randomData(int length) {
        byte[] b = new byte[length];
        RANDOM.nextBytes(b);
        return b;
    }

    /** Verifies with BouncyCastle, which wants ECDSA in DER as X.509 does. */
    static boolean verifies(PublicKey key, SignatureAlgorithm algorithm, byte[] data, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(algorithm.jcaName(), BC);
            verifier.initVerify(key);
            verifier.update(data);
            return verifier.verify(signature);
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError("verifying a " + algorithm + " signature failed: " + e, e);
        }
    }
}
