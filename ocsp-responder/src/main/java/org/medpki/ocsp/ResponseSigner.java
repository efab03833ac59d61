package org.medpki.ocsp;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.ocsp.CertID;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.medpki.core.keys.SigningKeys;

/**
 * Builds and signs RFC 6960 BasicOCSPResponses with the issuing CA's delegated OCSP signer, whose
 * key stays in the token; {@link ResponseEncoder} assembles the DER. The responder ID is the
 * signer's key hash and the signer certificate travels in the response, so clients that trust the
 * issuing CA verify it (RFC 6960 4.2.2.2). thisUpdate (= producedAt) is now to the second;
 * nextUpdate is thisUpdate + validity.
 */
public final class ResponseSigner {
    private final SigningKeys keys;
    private final Duration validity;
    private final OcspMetrics metrics;
    /** By OCSP signer certificate: a rotation brings a new signer id and so a new encoder. */
    private final Map<Long, ResponseEncoder> encoders = new ConcurrentHashMap<>();

    public ResponseSigner(SigningKeys keys, Duration validity, OcspMetrics metrics) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.validity = Objects.requireNonNull(validity, "validity");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** One SingleResponse to sign: the CertID as it goes into the response, and the status. */
    public record Single(CertID certId, CertState state) {
    }

    /** Signs one response for one certificate; what the cache and the inventory table hold. */
    public SignedResponse sign(Issuer issuer, Single single, Instant now) {
        Instant thisUpdate = now.truncatedTo(ChronoUnit.SECONDS);
        byte[] der = encode(issuer, List.of(single), null, thisUpdate);
        return SignedResponse.of(der, single.state(), issuer.signerId(), thisUpdate, thisUpdate.plus(validity));
    }

    /** Signs a response to one request (several CertIDs, a nonce): signed on demand, not cached. */
    public byte[] signOnDemand(Issuer issuer, List<Single> singles, Extension nonce, Instant now) {
        return encode(issuer, singles, nonce, now.truncatedTo(ChronoUnit.SECONDS));
    }

    private byte[] encode(Issuer issuer, List<Single> singles, Extension nonce, Instant thisUpdate) {
        long start = System.nanoTime();
        try {
            ResponseEncoder encoder = encoders.computeIfAbsent(issuer.signerId(), id -> new ResponseEncoder(issuer));
            byte[] responseData = encoder.responseData(singles, nonce == null ? null : new Extensions(nonce),
                    thisUpdate, thisUpdate.plus(validity));
            byte[] signature = keys.sign(issuer.signer().keyLabel(), issuer.signer().signatureAlgorithm(), responseData);
            return encoder.response(responseData, signature);
        } finally {
            metrics.signed(System.nanoTime() - start);
        }
    }
}
