package org.medpki.hsm;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.*;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.medpki.core.keys.KeyAlgorithm;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.hsm.SignMechanism.Input;
import org.medpki.hsm.SignMechanism.Output;

/**
 * The PKCS#11 side of every key type and signature algorithm, as data: which mechanisms can make
 * each signature (best first), how each key type is generated, and the vendor quirks that rule
 * mechanisms out. {@link #forToken} picks, once per connection, the first candidate the token
 * actually offers.
 */
final class MechanismTable {

    /** Candidates per signature, best first: a combined hash-and-sign mechanism, then hash in Java. */
    static final Map<SignatureAlgorithm, List<SignMechanism>> SIGN_CANDIDATES = Map.of(
            SignatureAlgorithm.ECDSA_SHA256, ecdsa(CKM_ECDSA_SHA256),
            SignatureAlgorithm.ECDSA_SHA384, ecdsa(CKM_ECDSA_SHA384),
            SignatureAlgorithm.RSA_PKCS1_SHA256, pkcs1(CKM_SHA256_RSA_PKCS),
            SignatureAlgorithm.RSA_PKCS1_SHA384, pkcs1(CKM_SHA384_RSA_PKCS),
            SignatureAlgorithm.RSA_PKCS1_SHA512, pkcs1(CKM_SHA512_RSA_PKCS),
            SignatureAlgorithm.RSA_PSS_SHA256, pss(CKM_SHA256_RSA_PKCS_PSS),
            SignatureAlgorithm.RSA_PSS_SHA384, pss(CKM_SHA384_RSA_PKCS_PSS),
            SignatureAlgorithm.RSA_PSS_SHA512, pss(CKM_SHA512_RSA_PKCS_PSS),
            SignatureAlgorithm.ED25519, List.of(new SignMechanism(CKM_EDDSA, Input.MESSAGE, false, Output.AS_IS)));

    static final String OID_P256 = "1.2.840.10045.3.1.7";
    static final String OID_P384 = "1.3.132.0.34";
    static final String OID_ED25519 = "1.3.101.112";

    static final Map<KeyAlgorithm, KeySpec> KEY_SPECS = Map.of(
            KeyAlgorithm.EC_P256, new KeySpec(KeyAlgorithm.EC_P256, CKK_EC, CKM_EC_KEY_PAIR_GEN, OID_P256, 0),
            KeyAlgorithm.EC_P384, new KeySpec(KeyAlgorithm.EC_P384, CKK_EC, CKM_EC_KEY_PAIR_GEN, OID_P384, 0),
            KeyAlgorithm.RSA_2048, new KeySpec(KeyAlgorithm.RSA_2048, CKK_RSA, CKM_RSA_PKCS_KEY_PAIR_GEN, null, 2048),
            KeyAlgorithm.RSA_3072, new KeySpec(KeyAlgorithm.RSA_3072, CKK_RSA, CKM_RSA_PKCS_KEY_PAIR_GEN, null, 3072),
            KeyAlgorithm.RSA_4096, new KeySpec(KeyAlgorithm.RSA_4096, CKK_RSA, CKM_RSA_PKCS_KEY_PAIR_GEN, null, 4096),
            KeyAlgorithm.ED25519, new KeySpec(KeyAlgorithm.ED25519, CKK_EC_EDWARDS, CKM_EC_EDWARDS_KEY_PAIR_GEN, OID_ED25519, 0));

    /** A token family's known misbehaviour: mechanisms it advertises that we must not use. */
    record VendorQuirk(String manufacturerPrefix, Set<Long> avoid, String reason) {
    }

    static final List<VendorQuirk> QUIRKS = List.of(
            new VendorQuirk("SoftHSM", Set.of(CKM_ECDSA_SHA256, CKM_ECDSA_SHA384, CKM_ECDSA_SHA512),
                    "SoftHSM 2.6.1 has no combined ECDSA mechanisms and later versions only hash in software; "
                            + "hashing in Java keeps one ECDSA path across versions"));

    private final Map<SignatureAlgorithm, SignMechanism> chosen;
    private final Set<Long> available;

    private MechanismTable(Map<SignatureAlgorithm, SignMechanism> chosen, Set<Long> available) {
        this.chosen = chosen;
        this.available = available;
    }

    /** The choices for a token that offers {@code mechanisms} and names {@code manufacturer}. */
    static MechanismTable forToken(Set<Long> mechanisms, String manufacturer) {
        Set<Long> usable = new HashSet<>(mechanisms);
        for (VendorQuirk quirk : QUIRKS) {
            if (manufacturer.startsWith(quirk.manufacturerPrefix())) {
                usable.removeAll(quirk.avoid());
            }
        }
        Map<SignatureAlgorithm, SignMechanism> chosen = new EnumMap<>(SignatureAlgorithm.class);
        SIGN_CANDIDATES.forEach((algorithm, candidates) -> candidates.stream()
                .filter(m -> usable.contains(m.code()))
                .findFirst()
                .ifPresent(m -> chosen.put(algorithm, m)));
        return new MechanismTable(chosen, Set.copyOf(usable));
    }

    Optional<SignMechanism> signing(SignatureAlgorithm algorithm) {
        return Optional.ofNullable(chosen.get(algorithm));
    }

    boolean canGenerate(KeyAlgorithm algorithm) {
        return available.contains(KEY_SPECS.get(algorithm).generationMechanism());
    }

    /** The key type of an existing key, from its CKK_ type and curve or modulus; empty when not one of ours. */
    static Optional<KeyAlgorithm> identify(long keyType, String curveOid, int modulusBits) {
        return KEY_SPECS.values().stream()
                .filter(s -> s.keyType() == keyType)
                .filter(s -> s.isRsa() ? s.modulusBits() == modulusBits : s.curveOid().equals(curveOid))
                .map(KeySpec::algorithm)
                .findFirst();
    }

    private static List<SignMechanism> ecdsa(long combined) {
        return List.of(new SignMechanism(combined, Input.MESSAGE, false, Output.ECDSA_PLAIN_TO_DER),
                new SignMechanism(CKM_ECDSA, Input.DIGEST, false, Output.ECDSA_PLAIN_TO_DER));
    }

    private static List<SignMechanism> pkcs1(long combined) {
        return List.of(new SignMechanism(combined, Input.MESSAGE, false, Output.AS_IS),
                new SignMechanism(CKM_RSA_PKCS, Input.DIGEST_INFO, false, Output.AS_IS));
    }

    private static List<SignMechanism> pss(long combined) {
        return List.of(new SignMechanism(combined, Input.MESSAGE, true, Output.AS_IS),
                new SignMechanism(CKM_RSA_PKCS_PSS, Input.DIGEST, true, Output.AS_IS));
    }
}
