package org.medpki.acme.validation;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * What an http-01 response means (RFC 8555 8.3), decided without any I/O: the answer is valid,
 * a redirect to follow, or incorrect for a reason (for our log only; the client is told
 * generically). Small and pure on purpose: these are the fuzz targets of the http-01 path.
 */
final class Http01Response {
    /** The response body is read up to this many bytes; a longer one is incorrect. */
    static final int MAX_BODY = 16 * 1024;

    private Http01Response() {
    }

    sealed interface Verdict permits Valid, Redirect, Incorrect {
    }

    record Valid() implements Verdict {
    }

    record Redirect(String location) implements Verdict {
    }

    record Incorrect(String reason) implements Verdict {
    }

    /**
     * {@code body} as received, at most {@link #MAX_BODY} bytes; {@code overCap} when the server
     * sent more. Trailing (and leading) whitespace around the key authorization is ignored.
     */
    static Verdict judge(int status, String location, byte[] body, boolean overCap, String keyAuthorization) {
        if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
            return location == null || location.isBlank() ? new Incorrect("a redirect (" + status + ") without Location")
                    : new Redirect(location.trim());
        }
        if (status != 200) {
            return new Incorrect("status " + status);
        }
        if (overCap || body.length > MAX_BODY) {
            return new Incorrect("a body over " + MAX_BODY + " bytes");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return new Incorrect("a body that is not UTF-8");
        }
        if (!text.strip().equals(keyAuthorization)) {
            return new Incorrect("a body of " + body.length + " bytes that is not the key authorization");
        }
        return new Valid();
    }

    /**
     * Where a redirect from {@code from} to {@code location} leads, if we follow it: http only, a
     * host, no user info, port 80 or {@code http01Port}. Empty when it is not followed.
     */
    static Optional<URI> redirectTarget(URI from, String location, int http01Port) {
        URI next;
        try {
            next = from.resolve(new URI(location.trim())).normalize();
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
        if (next.getScheme() == null || !next.getScheme().toLowerCase(Locale.ROOT).equals("http")
                || next.getHost() == null || next.getRawUserInfo() != null) {
            return Optional.empty();
        }
        int port = next.getPort() == -1 ? 80 : next.getPort();
        if (port != 80 && port != http01Port) {
            return Optional.empty();
        }
        return Optional.of(next);
    }
}
