package org.medpki.hsm;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.*;

import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.keys.DestroyedKey;
import org.medpki.core.keys.KeyAlgorithm;
import org.medpki.core.keys.KeyPairInfo;
import org.medpki.core.keys.KeyProtection;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.keys.SigningKeys;
import org.medpki.core.keys.TokenDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.Functions;
import org.xipki.pkcs11.wrapper.KeyPairTemplate;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11KeyPair;
import org.xipki.pkcs11.wrapper.Session;

/**
 * {@link SigningKeys} on a PKCS#11 token through the IAIK wrapper. Keys are generated inside the
 * token as sensitive, never-extractable, sign-only token objects; signing borrows a logged-in
 * session from a bounded pool, so several threads sign at once. When the session, the login, the
 * token or the library goes away, the operation reconnects (finding the token by label again) and
 * is retried once; a token that is still away gives TOKEN_UNAVAILABLE, and a later call tries
 * again, so a returning token is picked up without a restart.
 */
public final class Pkcs11SigningKeys implements SigningKeys {
    private static final Logger LOG = LoggerFactory.getLogger(Pkcs11SigningKeys.class);
    private static final int MAX_LABEL_LENGTH = 100;
    private static final int ID_LENGTH = 16;

    /** A private key found in the token, valid for the connection it was found on. */
    private record KeyRef(long handle, byte[] id, KeyAlgorithm algorithm, SessionPool.Connection connection) {
    }

    private final TokenConfig config;
    private final ModuleHandle module;
    private final SessionPool pool;
    private final ConcurrentHashMap<String, KeyRef> privateKeys = new ConcurrentHashMap<>();
    private final Object generateLock = new Object();
    private final SecureRandom random = new SecureRandom();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Loads the module, finds the token by label and logs in once, so that a wrong PIN or a
     * missing token shows at start-up.
     */
    public Pkcs11SigningKeys(TokenConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.module = ModuleHandle.acquire(config.modulePath());
        this.pool = new SessionPool(module, config.tokenLabel(), config.pin(), config.sessionPoolSize());
        try {
            execute("log in", lease -> null);
        } catch (RuntimeException e) {
            closeResources();
            throw e;
        }
        TokenDescription token = pool.connect().description();
        LOG.info("signing keys on token '{}' ({} {}, serial {}, slot {}) via {}, {} sessions",
                token.label(), token.manufacturer(), token.model(), token.serialNumber(), token.slotId(),
                token.module(), config.sessionPoolSize());
    }

    @Override
    public TokenDescription token() {
        ensureOpen();
        return pool.connect().description();
    }

    @Override
    public boolean supports(SignatureAlgorithm algorithm) {
        Objects.requireNonNull(algorithm, "algorithm");
        ensureOpen();
        return pool.connect().mechanisms().signing(algorithm).isPresent();
    }

    @Override
    public KeyPairInfo generate(KeyAlgorithm algorithm, String label) {
        Objects.requireNonNull(algorithm, "algorithm");
        checkLabel(label);
        KeySpec spec = MechanismTable.KEY_SPECS.get(algorithm);
        // One generation at a time per adapter, so that the label check and the creation cannot interleave.
        synchronized (generateLock) {
            return execute("generate a " + algorithm + " key pair", lease -> {
                if (!lease.connection().mechanisms().canGenerate(algorithm)) {
                    TokenDescription t = lease.connection().description();
                    throw new PkiException(ErrorKind.CONFIGURATION, "the token '" + t.label() + "' (" + t.manufacturer()
                            + " " + t.model() + ") cannot generate " + algorithm + " keys: it lacks "
                            + ckmCodeToName(spec.generationMechanism()));
                }
                Session session = lease.session();
                SessionPool.requireLoggedIn(session); // else the search below cannot see private keys
                if (session.findAllObjectsSingle(new AttributeVector().class_(CKO_PRIVATE_KEY).label(label)).length > 0
                        || session.findAllObjectsSingle(new AttributeVector().class_(CKO_PUBLIC_KEY).label(label)).length > 0) {
                    throw new PkiException(ErrorKind.CONFLICT,
                            "a key labelled '" + label + "' already exists in the token '" + config.tokenLabel() + "'");
                }
                byte[] id = new byte[ID_LENGTH];
                random.nextBytes(id);
                PKCS11KeyPair pair = session.generateKeyPair(new Mechanism(spec.generationMechanism()),
                        template(spec, label, id));
                PublicKey publicKey = readPublicKey(session, pair.getPublicKey(), algorithm);
                privateKeys.put(label, new KeyRef(pair.getPrivateKey(), id, algorithm, lease.connection()));
                LOG.info("generated a {} key pair labelled '{}' in token '{}'", algorithm, label, config.tokenLabel());
                return new KeyPairInfo(label, id, algorithm, publicKey);
            });
        }
    }

    @Override
    public Optional<KeyPairInfo> find(String label) {
        checkLabel(label);
        return execute("look up the key '" + label + "'", lease -> {
            Optional<KeyRef> found = lookUp(lease, label);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            KeyRef ref = found.get();
            Session session = lease.session();
            long[] publics = ref.id().length > 0
                    ? session.findAllObjectsSingle(new AttributeVector().class_(CKO_PUBLIC_KEY).id(ref.id()))
                    : new long[0];
            if (publics.length == 0) {
                publics = session.findAllObjectsSingle(new AttributeVector().class_(CKO_PUBLIC_KEY).label(label));
            }
            if (publics.length == 0) {
                throw new PkiException(ErrorKind.KEY_NOT_FOUND, "the token '" + config.tokenLabel()
                        + "' holds the private key '" + label + "' but not its public key");
            }
            return Optional.of(new KeyPairInfo(label, ref.id(), ref.algorithm(),
                    readPublicKey(session, publics[0], ref.algorithm())));
        });
    }

    @Override
    public List<String> labels() {
        return execute("list the keys", lease -> {
            Session session = lease.session();
            SessionPool.requireLoggedIn(session); // else the private keys are hidden and the list empty
            TreeSet<String> labels = new TreeSet<>();
            for (long handle : session.findAllObjectsSingle(new AttributeVector().class_(CKO_PRIVATE_KEY))) {
                String label = session.getAttrValues(handle, CKA_LABEL).label();
                if (label != null && !label.isEmpty()) {
                    labels.add(label);
                }
            }
            return List.copyOf(labels);
        });
    }

    @Override
    public KeyProtection protection(String label) {
        checkLabel(label);
        return execute("read the attributes of key '" + label + "'", lease -> {
            KeyRef ref = cachedOrLookUp(lease, label);
            AttributeVector a = lease.session().getAttrValues(ref.handle(), CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE,
                    CKA_ALWAYS_SENSITIVE, CKA_EXTRACTABLE, CKA_NEVER_EXTRACTABLE);
            // An attribute the token does not report counts against the key.
            return new KeyProtection(isTrue(a.token()), isTrue(a.private_()), isTrue(a.sensitive()),
                    isTrue(a.alwaysSensitive()), !Boolean.FALSE.equals(a.extractable()), isTrue(a.neverExtractable()));
        });
    }

    @Override
    public byte[] sign(String label, SignatureAlgorithm algorithm, byte[] data) {
        checkLabel(label);
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(data, "data");
        return execute("sign with the key '" + label + "'", lease -> {
            SignMechanism mechanism = lease.connection().mechanisms().signing(algorithm)
                    .orElseThrow(() -> new PkiException(ErrorKind.BAD_SIGNATURE_ALGORITHM,
                            "the token '" + config.tokenLabel() + "' cannot make " + algorithm + " signatures"));
            KeyRef ref = cachedOrLookUp(lease, label);
            if (!algorithm.fits(ref.algorithm())) {
                throw new PkiException(ErrorKind.BAD_SIGNATURE_ALGORITHM,
                        "the key '" + label + "' is " + ref.algorithm() + " and cannot make " + algorithm + " signatures");
            }
            try {
                byte[] signature = lease.session().signSingle(mechanism.toMechanism(algorithm), ref.handle(),
                        mechanism.prepare(algorithm, data));
                return mechanism.finish(signature);
            } catch (PKCS11Exception e) {
                privateKeys.remove(label, ref);
                if (Pkcs11Failure.of(e) == Pkcs11Failure.STALE_HANDLE) {
                    SessionPool.requireLoggedIn(lease.session()); // the handle may be hidden by a lost login
                }
                throw e;
            }
        });
    }

    @Override
    public DestroyedKey destroy(String label) {
        checkLabel(label);
        return execute("destroy the key '" + label + "'", lease -> {
            Session session = lease.session();
            KeyRef ref = lookUp(lease, label).orElseThrow(() -> new PkiException(ErrorKind.KEY_NOT_FOUND,
                    "the token '" + config.tokenLabel() + "' holds no private key labelled '" + label + "'"));
            // The private key, and whatever else carries its label or CKA_ID (the public key, a certificate object).
            java.util.Set<Long> handles = new java.util.LinkedHashSet<>();
            handles.add(ref.handle());
            for (long h : session.findAllObjectsSingle(new AttributeVector().label(label))) {
                handles.add(h);
            }
            if (ref.id().length > 0) {
                for (long h : session.findAllObjectsSingle(new AttributeVector().id(ref.id()))) {
                    handles.add(h);
                }
            }
            privateKeys.remove(label);
            for (long handle : handles) {
                session.destroyObject(handle); // C_DestroyObject: a failure leaves as the token's CKR_ code
            }
            int left = session.findAllObjectsSingle(new AttributeVector().label(label)).length;
            if (left > 0) {
                throw new PkiException(ErrorKind.INTERNAL, "the token '" + config.tokenLabel() + "' answered CKR_OK "
                        + "to C_DestroyObject but still finds " + left + " object(s) labelled '" + label + "'");
            }
            LOG.info("destroyed the key '{}' ({} objects) in the token '{}'", label, handles.size(), config.tokenLabel());
            return new DestroyedKey(label, handles.size(), "CKR_OK from C_DestroyObject for " + handles.size()
                    + " object(s) (private key, public key and any other object with its label or CKA_ID) in the "
                    + "token '" + config.tokenLabel() + "'; C_FindObjects then finds no object labelled '" + label + "'");
        });
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            closeResources();
        }
    }

    @Override
    public String toString() {
        return "Pkcs11SigningKeys[module=" + config.modulePath() + ", token=" + config.tokenLabel()
                + ", sessions=" + config.sessionPoolSize() + ", " + config.pin() + "]";
    }

    /**
     * Runs {@code work} on a pooled session; on a lost session or stale handle it reconnects or
     * looks up again and retries once. Every PKCS#11 failure leaves as a PkiException.
     */
    private <T> T execute(String what, SessionPool.Work<T> work) {
        ensureOpen();
        for (int attempt = 1; ; attempt++) {
            SessionPool.Connection connection = pool.connect();
            try {
                return pool.run(connection, work);
            } catch (PKCS11Exception e) {
                Pkcs11Failure failure = Pkcs11Failure.of(e);
                switch (failure) {
                    case SESSION_LOST -> {
                        LOG.warn("lost the session to token '{}' ({}) while trying to {}; reconnecting",
                                config.tokenLabel(), e.getErrorName(), what);
                        pool.invalidate(connection);
                        privateKeys.clear();
                    }
                    case STALE_HANDLE -> privateKeys.clear();
                    case LOGIN_REFUSED -> throw loginRefused(e);
                    case OTHER -> throw new PkiException(ErrorKind.INTERNAL,
                            "the token '" + config.tokenLabel() + "' failed to " + what + ": " + e.getErrorName(), e);
                }
                if (attempt >= 2) {
                    throw new PkiException(ErrorKind.TOKEN_UNAVAILABLE, "the token '" + config.tokenLabel()
                            + "' failed to " + what + " again after reconnecting: " + e.getErrorName(), e);
                }
            }
        }
    }

    private PkiException loginRefused(PKCS11Exception e) {
        long code = e.getErrorCode();
        String detail = code == CKR_PIN_LOCKED ? "the token '" + config.tokenLabel() + "' has locked the user PIN"
                : code == CKR_PIN_EXPIRED ? "the user PIN of the token '" + config.tokenLabel() + "' has expired"
                : "the token '" + config.tokenLabel() + "' refused the PIN";
        // The wrapper's exception carries only the CKR_ name, never the PIN.
        return new PkiException(ErrorKind.TOKEN_LOGIN_FAILED, detail, e);
    }

    private KeyRef cachedOrLookUp(SessionPool.Lease lease, String label) throws PKCS11Exception {
        KeyRef ref = privateKeys.get(label);
        if (ref != null && ref.connection() == lease.connection()) {
            return ref;
        }
        ref = lookUp(lease, label).orElseThrow(() -> new PkiException(ErrorKind.KEY_NOT_FOUND,
                "the token '" + config.tokenLabel() + "' holds no private key labelled '" + label + "'"));
        privateKeys.put(label, ref);
        return ref;
    }

    private Optional<KeyRef> lookUp(SessionPool.Lease lease, String label) throws PKCS11Exception {
        Session session = lease.session();
        // Checked before the search too: another thread's login may end a logged-out state between
        // an empty search and the check after it (the login is the application's, not the session's).
        SessionPool.requireLoggedIn(session);
        long[] handles = session.findAllObjectsSingle(new AttributeVector().class_(CKO_PRIVATE_KEY).label(label));
        if (handles.length == 0) {
            SessionPool.requireLoggedIn(session); // not found, or hidden by a login lost meanwhile
            return Optional.empty();
        }
        if (handles.length > 1) {
            throw new PkiException(ErrorKind.CONFLICT, handles.length + " private keys in the token '"
                    + config.tokenLabel() + "' carry the label '" + label + "'");
        }
        long handle = handles[0];
        AttributeVector a = session.getAttrValues(handle, CKA_KEY_TYPE, CKA_ID);
        long keyType = a.keyType() == null ? -1 : a.keyType();
        String curve = null;
        int modulusBits = 0;
        if (keyType == CKK_RSA) {
            var modulus = session.getAttrValues(handle, CKA_MODULUS).modulus();
            modulusBits = modulus == null ? 0 : modulus.bitLength();
        } else {
            curve = curveOid(session.getAttrValues(handle, CKA_EC_PARAMS).ecParams());
        }
        String shownCurve = curve;
        int shownBits = modulusBits;
        KeyAlgorithm algorithm = MechanismTable.identify(keyType, curve, modulusBits)
                .orElseThrow(() -> new PkiException(ErrorKind.CONFIGURATION, "the key '" + label + "' in the token '"
                        + config.tokenLabel() + "' is of a type the PKI does not use (" + ckkCodeToName(keyType)
                        + (shownCurve != null ? ", curve " + shownCurve : ", " + shownBits + " bits") + ")"));
        byte[] id = a.id() == null ? new byte[0] : a.id();
        return Optional.of(new KeyRef(handle, id, algorithm, lease.connection()));
    }

    private static String curveOid(byte[] ecParams) {
        if (ecParams == null) {
            return null;
        }
        try {
            ASN1Primitive p = ASN1Primitive.fromByteArray(ecParams);
            if (p instanceof ASN1ObjectIdentifier oid) {
                return oid.getId();
            }
            // Some tokens name Edwards curves instead of giving their OID.
            if (p instanceof ASN1String s && s.getString().equalsIgnoreCase("edwards25519")) {
                return MechanismTable.OID_ED25519;
            }
        } catch (java.io.IOException e) {
            LOG.debug("unreadable CKA_EC_PARAMS: {}", e.getMessage());
        }
        return null;
    }

    private static PublicKey readPublicKey(Session session, long handle, KeyAlgorithm algorithm) throws PKCS11Exception {
        if (algorithm.family().equals("RSA")) {
            AttributeVector a = session.getAttrValues(handle, CKA_MODULUS, CKA_PUBLIC_EXPONENT);
            return PublicKeyDecoder.rsa(a.modulus(), a.publicExponent());
        }
        return PublicKeyDecoder.ecOrEdwards(algorithm, session.getAttrValues(handle, CKA_EC_POINT).ecPoint());
    }

    /** Sign-only keys: sensitive, never extractable, and no decrypt, unwrap or derive. */
    private static KeyPairTemplate template(KeySpec spec, String label, byte[] id) {
        KeyPairTemplate template = new KeyPairTemplate(spec.keyType()).labels(label).id(id);
        template.privateKey().token(true).private_(true).sensitive(true).extractable(false)
                .sign(true).decrypt(false).unwrap(false).derive(false);
        template.publicKey().token(true).private_(false).verify(true).encrypt(false).wrap(false).derive(false);
        if (spec.isRsa()) {
            template.publicKey().modulusBits(spec.modulusBits()).publicExponent(KeySpec.RSA_PUBLIC_EXPONENT);
        } else {
            template.publicKey().ecParams(Functions.encodeOid(spec.curveOid()));
        }
        return template;
    }

    private static void checkLabel(String label) {
        if (label == null || label.isBlank() || label.length() > MAX_LABEL_LENGTH
                || !label.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new PkiException(ErrorKind.MALFORMED, "a key label must be 1 to " + MAX_LABEL_LENGTH
                    + " printable ASCII characters, got " + (label == null ? "none" : "'" + label.replaceAll("[^\\x20-\\x7e]", "?") + "'"));
        }
    }

    private static boolean isTrue(Boolean b) {
        return Boolean.TRUE.equals(b);
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new PkiException(ErrorKind.TOKEN_UNAVAILABLE,
                    "the signing keys of the token '" + config.tokenLabel() + "' are closed");
        }
    }

    private void closeResources() {
        try {
            pool.close();
        } finally {
            module.release();
        }
    }
}
