package org.medpki.ocsp;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.CertID;
import org.bouncycastle.asn1.ocsp.ResponderID;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.keys.SigningKeys;
import org.medpki.core.signing.HsmContentSigner;

/**
 * Builds and signs RFC 6960 BasicOCSPResponses with the issuing CA's delegated OCSP signer, whose
 * key stays in the token ({@link HsmContentSigner}). The responder ID is the signer's key hash and
 * the signer certificate travels in the response, so clients that trust the issuing CA verify it
 * (RFC 6960 4.2.2.2). thisUpdate is now to the second; nextUpdate is thisUpdate + validity.
 */
public final class ResponseSigner {
    private final SigningKeys keys;
    private final Duration validity;
    private final OcspMetrics metrics;

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
            byte[] signerKeyHash = CertIdHash.SHA1.digest(issuer.signer().certificate().getSubjectPublicKeyInfo()
                    .getPublicKeyData().getBytes());
            BasicOCSPRespBuilder builder = new BasicOCSPRespBuilder(
                    new RespID(new ResponderID(new DEROctetString(signerKeyHash))));
            Date from = Date.from(thisUpdate);
            Date until = Date.from(thisUpdate.plus(validity));
            for (Single s : singles) {
                builder.addResponse(new CertificateID(s.certId()), status(s.state()), from, until, null);
            }
            if (nonce != null) {
                builder.setResponseExtensions(new Extensions(nonce));
            }
            var basic = builder.build(new HsmContentSigner(keys, issuer.signer().keyLabel(),
                    issuer.signer().signatureAlgorithm()), issuer.signerChain(), from);
            return new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, basic).getEncoded();
        } catch (OCSPException | IOException e) {
            throw new PkiException(ErrorKind.INTERNAL, "cannot build an OCSP response for " + issuer.name(), e);
        } finally {
            metrics.signed(System.nanoTime() - start);
        }
    }

    private static CertificateStatus status(CertState state) {
        return switch (state) {
            case CertState.Good g -> CertificateStatus.GOOD;
            case CertState.Revoked r -> new RevokedStatus(Date.from(r.at().truncatedTo(ChronoUnit.SECONDS)),
                    r.reason().code());
            case CertState.Unknown u -> new UnknownStatus();
        };
    }
}
