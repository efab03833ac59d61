package org.medpki.ocsp;

/** What the responder sends back for one request. */
public sealed interface Answer {

    /** A pre-signed response (cacheable by HTTP caches). */
    record Cached(SignedResponse response) implements Answer {
    }

    /** A response signed for this request only (nonce, several CertIDs): not cacheable. */
    record OnDemand(byte[] der) implements Answer {
    }

    /** An unsigned error response. */
    record Rejected(OcspStatus status) implements Answer {
    }

    /** Needs the inventory or the HSM: to be finished off the event loop by {@link OcspResponder#resolve}. */
    record Pending(ParsedRequest request, java.nio.ByteBuffer requestDer) implements Answer {
    }
}
