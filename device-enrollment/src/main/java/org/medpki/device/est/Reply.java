package org.medpki.device.est;

import java.util.Map;

/** One EST answer: status, Content-Type, further headers, body. */
record Reply(int status, String contentType, Map<String, String> headers, byte[] body) {
    static final String PKCS7 = "application/pkcs7-mime";

    Reply {
        headers = Map.copyOf(headers);
    }

    /** A base64 body (RFC 7030 4.1.3, 4.2.3, 4.5.2). */
    static Reply base64(String contentType, byte[] der) {
        return new Reply(200, contentType, Map.of("Content-Transfer-Encoding", "base64"), EstCodec.base64(der));
    }

    /** A refusal with a short reason for a person reading the device's log. */
    static Reply text(int status, String reason) {
        return new Reply(status, "text/plain; charset=utf-8", Map.of(), EstCodec.utf8(reason + "\n"));
    }

    /**
     * 401 asking for Basic credentials. {@code reason} null: the plain challenge to a request that
     * carried none, with an empty body (a client answers it with its credentials, and
     * BouncyCastle's EST client refuses a challenge whose body it did not read).
     */
    static Reply challenge(String reason) {
        Map<String, String> h = Map.of("WWW-Authenticate", "Basic realm=\"" + EstServer.REALM + "\"");
        return reason == null ? new Reply(401, null, h, new byte[0])
                : new Reply(401, "text/plain; charset=utf-8", h, EstCodec.utf8(reason + "\n"));
    }

    static Reply unavailable(long retryAfterSeconds, String reason) {
        return new Reply(503, "text/plain; charset=utf-8", Map.of("Retry-After", Long.toString(retryAfterSeconds)),
                EstCodec.utf8(reason + "\n"));
    }
}
