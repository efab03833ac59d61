package org.medpki.acme;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import org.medpki.core.signing.EcdsaSignatures;

/** Verifies the JWS signature with the request's key (jwk or the account's), after checking the key. */
public final class SignatureHandler implements Handler<RoutingContext> {
    private final AcmeAudit audit;

    public SignatureHandler(AcmeAudit audit) {
        this.audit = audit;
    }

    @Override
    public void handle(RoutingContext ctx) {
        JwsRequest jws = JwsRequest.of(ctx);
        if (!verify(jws.header().getAlgorithm(), jws.key(), jws.signingInput(), jws.signature())) {
            AcmeException refused = new AcmeException(ProblemType.MALFORMED, "the JWS signature does not verify");
            audit.requestRefused(ctx, "badSignature", jws.header().getKeyID(), refused);
            throw refused;
        }
        ctx.next();
    }

    /** Checks that the key suits the algorithm and is strong enough, then verifies. */
    static boolean verify(JWSAlgorithm alg, JWK key, String signingInput, byte[] signature) {
        byte[] input = signingInput.getBytes(StandardCharsets.US_ASCII);
        try {
            if (JWSAlgorithm.ES256.equals(alg) || JWSAlgorithm.ES384.equals(alg)) {
                Curve want = JWSAlgorithm.ES256.equals(alg) ? Curve.P_256 : Curve.P_384;
                if (!(key instanceof ECKey ec) || !want.equals(ec.getCurve())) {
                    throw new AcmeException(ProblemType.BAD_PUBLIC_KEY, alg + " needs an EC key on " + want);
                }
                return ecdsaVerifies(ec, JWSAlgorithm.ES256.equals(alg), input, signature);
            }
            if (JWSAlgorithm.RS256.equals(alg)) {
                if (!(key instanceof RSAKey rsa)) {
                    throw new AcmeException(ProblemType.BAD_PUBLIC_KEY, "RS256 needs an RSA key");
                }
                checkRsa(rsa);
                return new RSASSAVerifier(rsa).verify(header(alg), input, Base64URL.encode(signature));
            }
            if (JWSAlgorithm.EdDSA.equals(alg) || JWSAlgorithm.Ed25519.equals(alg)) {
                if (!(key instanceof OctetKeyPair okp) || !Curve.Ed25519.equals(okp.getCurve())) {
                    throw new AcmeException(ProblemType.BAD_PUBLIC_KEY, "EdDSA needs an Ed25519 key");
                }
                Signature s = Signature.getInstance("Ed25519");
                s.initVerify(ed25519(okp));
                s.update(input);
                return s.verify(signature);
            }
        } catch (JOSEException | GeneralSecurityException | java.io.IOException | IllegalArgumentException e) {
            return false;
        }
        throw new AcmeException(ProblemType.BAD_SIGNATURE_ALGORITHM, "the JWS algorithm " + alg + " is not accepted");
    }

    /**
     * RSA account keys: a modulus of 2048 to 4096 bits and the public exponent 65537, nothing else
     * (a huge modulus or exponent costs the server work per request; small exponents invite old
     * attacks). Checked before any arithmetic.
     */
    static void checkRsa(RSAKey rsa) {
        java.math.BigInteger n = rsa.getModulus() == null ? null : rsa.getModulus().decodeToBigInteger();
        java.math.BigInteger e = rsa.getPublicExponent() == null ? null : rsa.getPublicExponent().decodeToBigInteger();
        if (n == null || n.signum() <= 0 || n.bitLength() < 2048 || n.bitLength() > 4096) {
            throw new AcmeException(ProblemType.BAD_PUBLIC_KEY, "RSA account keys must have 2048 to 4096 bits");
        }
        if (!java.math.BigInteger.valueOf(65537).equals(e)) {
            throw new AcmeException(ProblemType.BAD_PUBLIC_KEY, "RSA account keys must use the public exponent 65537");
        }
    }

    /** ES256/ES384 (RFC 7518 3.4: R || S, each exactly the curve's size) through {@link EcdsaSignatures}. */
    private static boolean ecdsaVerifies(ECKey ec, boolean p256, byte[] input, byte[] signature)
            throws JOSEException, java.io.IOException {
        return EcdsaSignatures.verifyConcatenated(EcdsaSignatures.key(ec.toECPublicKey().getEncoded()),
                p256 ? "SHA-256" : "SHA-384", input, signature, p256 ? 32 : 48);
    }

    private static com.nimbusds.jose.JWSHeader header(JWSAlgorithm alg) {
        return new com.nimbusds.jose.JWSHeader(alg);
    }

    static PublicKey ed25519(OctetKeyPair okp) throws GeneralSecurityException {
        byte[] x = okp.getX().decode();
        byte[] prefix = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
        byte[] spki = new byte[prefix.length + x.length];
        System.arraycopy(prefix, 0, spki, 0, prefix.length);
        System.arraycopy(x, 0, spki, prefix.length, x.length);
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
    }
}
