package org.medpki.ocsp;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * An encoded, signed OCSPResponse with what HTTP caching needs, computed once at signing so the
 * hot path only copies bytes: ETag, Last-Modified (thisUpdate) and Expires (nextUpdate).
 */
public record SignedResponse(byte[] der, CertState state, long signerId, Instant thisUpdate, Instant nextUpdate,
                             String etag, String lastModified, String expires) {

    public SignedResponse {
        Objects.requireNonNull(der, "der");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(thisUpdate, "thisUpdate");
        Objects.requireNonNull(nextUpdate, "nextUpdate");
    }

    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    public static SignedResponse of(byte[] der, CertState state, long signerId, Instant thisUpdate, Instant nextUpdate) {
        String etag = "\"" + HexFormat.of().formatHex(CertIdHash.SHA256.digest(der), 0, 16) + "\"";
        return new SignedResponse(der, state, signerId, thisUpdate, nextUpdate, etag,
                HTTP_DATE.format(thisUpdate),
                HTTP_DATE.format(nextUpdate));
    }

    /** Still servable at {@code now}: never hand out a response past its nextUpdate. */
    public boolean freshAt(long nowMillis) {
        return nowMillis < nextUpdate.toEpochMilli();
    }
}
