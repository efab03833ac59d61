package org.medpki.device.cmp;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.Provider;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.cmp.CMPObjectIdentifiers;
import org.bouncycastle.asn1.cmp.PBMParameter;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PBKDF2Params;
import org.bouncycastle.asn1.pkcs.PBMAC1Params;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.cmp.ProtectedPKIMessage;
import org.bouncycastle.cert.crmf.PKMACBuilder;
import org.bouncycastle.cert.crmf.jcajce.JcePKMACValuesCalculator;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.MacCalculator;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.jcajce.JcePBMac1CalculatorBuilder;
import org.bouncycastle.pkcs.jcajce.JcePBMac1CalculatorProviderBuilder;

/** How one transaction is protected: a MAC over a device's shared secret, or signatures. */
sealed interface CmpProtection {
    Provider BC = new BouncyCastleProvider();

    /** A copy that may outlive the request (kept for the certConf). */
    CmpProtection retained();

    void wipe();

    /** No protection could be established (an unreadable or unauthenticated request). */
    record None() implements CmpProtection {
        @Override
        public CmpProtection retained() {
            return this;
        }

        @Override
        public void wipe() {
        }
    }

    /** Signed by {@code certificate}'s key (null when the answer is only signed by the service). */
    record Signed(X509CertificateHolder certificate) implements CmpProtection {
        @Override
        public CmpProtection retained() {
            return this;
        }

        @Override
        public void wipe() {
        }

        boolean verifies(ProtectedPKIMessage message) {
            try {
                return message.verify(new JcaContentVerifierProviderBuilder().setProvider(BC).build(certificate));
            } catch (Exception e) {
                return false;
            }
        }
    }

    /**
     * PasswordBasedMac (RFC 4210) or PBMAC1 (RFC 9481) over {@code secret}, with the parameters
     * the device chose; {@code senderKid} is the device's reference, echoed in answers.
     */
    record Mac(AlgorithmIdentifier requestAlgorithm, byte[] secret, byte[] senderKid) implements CmpProtection {
        /** Far above what clients use (openssl: 500, RFC 9481 examples: 10000) yet cheap to refuse beyond. */
        static final int MAX_ITERATIONS = 100_000;
        static final int MIN_ITERATIONS = 100;
        private static final SecureRandom RANDOM = new SecureRandom();
        private static final Set<ASN1ObjectIdentifier> OWFS = Set.of(NISTObjectIdentifiers.id_sha256,
                NISTObjectIdentifiers.id_sha384, NISTObjectIdentifiers.id_sha512, OIWObjectIdentifiers.idSHA1);
        private static final Set<ASN1ObjectIdentifier> HMACS = Set.of(
                // hmac-sha1 (IANA 1.3.6.1.5.5.8.1.2) is what OpenSSL 3.0 sends by default
                new ASN1ObjectIdentifier("1.3.6.1.5.5.8.1.2"), PKCSObjectIdentifiers.id_hmacWithSHA1,
                PKCSObjectIdentifiers.id_hmacWithSHA256, PKCSObjectIdentifiers.id_hmacWithSHA384,
                PKCSObjectIdentifiers.id_hmacWithSHA512);

        static boolean isMac(AlgorithmIdentifier alg) {
            return alg != null && (CMPObjectIdentifiers.passwordBasedMac.equals(alg.getAlgorithm())
                    || PKCSObjectIdentifiers.id_PBMAC1.equals(alg.getAlgorithm()));
        }

        /** Null when the parameters are acceptable, else why not (no secret involved). */
        static String checkParameters(AlgorithmIdentifier alg) {
            try {
                if (CMPObjectIdentifiers.passwordBasedMac.equals(alg.getAlgorithm())) {
                    PBMParameter p = PBMParameter.getInstance(alg.getParameters());
                    if (!OWFS.contains(p.getOwf().getAlgorithm()) || !HMACS.contains(p.getMac().getAlgorithm())) {
                        return "unsupported one-way or MAC function in PasswordBasedMac";
                    }
                    return iterations(p.getIterationCount().getValue());
                }
                PBMAC1Params p = PBMAC1Params.getInstance(alg.getParameters());
                if (!PKCSObjectIdentifiers.id_PBKDF2.equals(p.getKeyDerivationFunc().getAlgorithm())
                        || !HMACS.contains(p.getMessageAuthScheme().getAlgorithm())) {
                    return "unsupported key derivation or MAC function in PBMAC1";
                }
                PBKDF2Params kdf = PBKDF2Params.getInstance(p.getKeyDerivationFunc().getParameters());
                if (kdf.getKeyLength() != null && (kdf.getKeyLength().intValue() < 16 || kdf.getKeyLength().intValue() > 64)) {
                    return "PBKDF2 key length out of range";
                }
                return iterations(kdf.getIterationCount());
            } catch (RuntimeException e) {
                return "unreadable MAC parameters";
            }
        }

        private static String iterations(java.math.BigInteger n) {
            return n.compareTo(java.math.BigInteger.valueOf(MIN_ITERATIONS)) < 0
                    || n.compareTo(java.math.BigInteger.valueOf(MAX_ITERATIONS)) > 0
                    ? "iteration count outside " + MIN_ITERATIONS + ".." + MAX_ITERATIONS : null;
        }

        @Override
        public CmpProtection retained() {
            return new Mac(requestAlgorithm, secret.clone(), senderKid == null ? null : senderKid.clone());
        }

        @Override
        public void wipe() {
            Arrays.fill(secret, (byte) 0);
        }

        boolean verifies(ProtectedPKIMessage message) {
            char[] password = password();
            try {
                if (CMPObjectIdentifiers.passwordBasedMac.equals(requestAlgorithm.getAlgorithm())) {
                    return message.verify(new PKMACBuilder(new JcePKMACValuesCalculator().setProvider(BC),
                            MAX_ITERATIONS), password);
                }
                return message.verify(new JcePBMac1CalculatorProviderBuilder().setProvider(BC).build(), password);
            } catch (Exception e) {
                return false;
            } finally {
                Arrays.fill(password, '\0');
            }
        }

        /** A MAC for an answer: the device's functions and iteration count, a fresh salt. */
        MacCalculator answerCalculator() {
            char[] password = password();
            try {
                byte[] salt = new byte[16];
                RANDOM.nextBytes(salt);
                if (CMPObjectIdentifiers.passwordBasedMac.equals(requestAlgorithm.getAlgorithm())) {
                    PBMParameter p = PBMParameter.getInstance(requestAlgorithm.getParameters());
                    return new PKMACBuilder(new JcePKMACValuesCalculator().setProvider(BC), MAX_ITERATIONS)
                            .setParameters(new PBMParameter(salt, p.getOwf(), p.getIterationCount().intValueExact(),
                                    p.getMac()))
                            .build(password);
                }
                PBMAC1Params p = PBMAC1Params.getInstance(requestAlgorithm.getParameters());
                PBKDF2Params kdf = PBKDF2Params.getInstance(p.getKeyDerivationFunc().getParameters());
                int keyLength = kdf.getKeyLength() != null ? kdf.getKeyLength().intValue() : 32;
                PBKDF2Params fresh = new PBKDF2Params(salt, kdf.getIterationCount().intValueExact(), keyLength,
                        kdf.getPrf());
                return new JcePBMac1CalculatorBuilder(new PBMAC1Params(
                        new AlgorithmIdentifier(PKCSObjectIdentifiers.id_PBKDF2, fresh), p.getMessageAuthScheme()))
                        .setProvider(BC).build(password);
            } catch (Exception e) {
                throw new IllegalStateException("cannot compute the answer's MAC", e);
            } finally {
                Arrays.fill(password, '\0');
            }
        }

        private char[] password() {
            try {
                CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(secret));
                char[] out = new char[chars.remaining()];
                chars.get(out);
                Arrays.fill(chars.array(), '\0');
                return out;
            } catch (java.nio.charset.CharacterCodingException e) {
                return new char[0];
            }
        }

        @Override
        public String toString() {
            return "Mac[" + requestAlgorithm.getAlgorithm() + "]";
        }

        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }
}
