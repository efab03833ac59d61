package org.medpki.core.testpki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.keys.KeyAlgorithm;
import org.medpki.core.keys.KeyPairInfo;
import org.medpki.core.keys.KeyProtection;
import org.medpki.core.keys.PublicKeys;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.keys.SigningKeys;
import org.medpki.core.keys.TokenDescription;

/**
 * The {@link SigningKeys} port over software keys, for unit tests of the code that signs
 * (issuance, CRLs, OCSP): keys by label, signatures made with BouncyCastle in the encoding the
 * port promises (DER for ECDSA). It counts signatures, lets a test look at the world at the
 * moment of each signature, and can be made to fail the way a token does.
 */
public final class SoftwareSigningKeys implements SigningKeys {
    private final Map<String, KeyPair> keys = new ConcurrentHashMap<>();
    private final AtomicInteger signatures = new AtomicInteger();
    private volatile Consumer<String> beforeSign = label -> { };
    private volatile PkiException failure;

    /** Puts a key pair made elsewhere (a {@link TestPki} CA key) under {@code label}. */
    public SoftwareSigningKeys add(String label, KeyPair key) {
        keys.put(label, key);
        return this;
    }

    /** Runs {@code check} with the label just before each signature. */
    public void beforeSign(Consumer<String> check) {
        this.beforeSign = check;
    }

    /** Every later signature fails with {@code failure} (null: signatures work again). */
    public void failWith(PkiException failure) {
        this.failure = failure;
    }

    /** How many signatures were made. */
    public int signatures() {
        return signatures.get();
    }

    @Override
    public TokenDescription token() {
        return new TokenDescription("software", "test-token", "medpki tests", "software", "0", 0);
    }

    @Override
    public org.medpki.core.keys.DestroyedKey destroy(String label) {
        if (keys.remove(label) == null) {
            throw new PkiException(ErrorKind.KEY_NOT_FOUND, "no key labelled " + label);
        }
        return new org.medpki.core.keys.DestroyedKey(label, 2, "removed from the software keys");
    }

    @Override
    public KeyPairInfo generate(KeyAlgorithm algorithm, String label) {
        if (keys.containsKey(label)) {
            throw new PkiException(ErrorKind.CONFLICT, "a key labelled " + label + " exists already");
        }
        KeyPair key = switch (algorithm) {
            case EC_P256 -> generate("EC", new ECGenParameterSpec("secp256r1"));
            case EC_P384 -> generate("EC", new ECGenParameterSpec("secp384r1"));
            case RSA_2048, RSA_3072, RSA_4096 -> generate("RSA",
                    new RSAKeyGenParameterSpec(algorithm.bits(), RSAKeyGenParameterSpec.F4));
            case ED25519 -> generate("Ed25519", null);
        };
        keys.put(label, key);
        return info(label, key);
    }

    @Override
    public Optional<KeyPairInfo> find(String label) {
        KeyPair key = keys.get(label);
        return key == null ? Optional.empty() : Optional.of(info(label, key));
    }

    @Override
    public List<String> labels() {
        return new ArrayList<>(keys.keySet());
    }

    @Override
    public KeyProtection protection(String label) {
        requireKey(label);
        return new KeyProtection(false, false, false, false, true, false);
    }

    @Override
    public byte[] sign(String label, SignatureAlgorithm algorithm, byte[] data) {
        KeyPair key = requireKey(label);
        beforeSign.accept(label);
        PkiException fail = failure;
        if (fail != null) {
            throw new PkiException(fail.kind(), fail.detail());
        }
        try {
            Signature s = Signature.getInstance(algorithm.jcaName(), TestKeys.BC);
            s.initSign(key.getPrivate());
            s.update(data);
            byte[] signature = s.sign();
            signatures.incrementAndGet();
            return signature;
        } catch (GeneralSecurityException e) {
            throw new PkiException(ErrorKind.INTERNAL, "software signature with " + label + " failed", e);
        }
    }

    @Override
    public boolean supports(SignatureAlgorithm algorithm) {
        return true;
    }

    @Override
    public void close() {
    }

    private KeyPair requireKey(String label) {
        KeyPair key = keys.get(label);
        if (key == null) {
            throw new PkiException(ErrorKind.KEY_NOT_FOUND, "no key labelled " + label + " in the test token");
        }
        return key;
    }

    private static KeyPairInfo info(String label, KeyPair key) {
        return new KeyPairInfo(label, label.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                PublicKeys.algorithmOf(key.getPublic()), key.getPublic());
    }

    private static KeyPair generate(String family, java.security.spec.AlgorithmParameterSpec spec) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(family);
            if (spec != null) {
                g.initialize(spec);
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
