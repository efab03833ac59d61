package org.medpki.admin.notice;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The webhook's signature: {@code X-Medpki-Signature: sha256=<hex>}, the HMAC-SHA256 under the
 * shared secret of the ASCII timestamp (seconds since the epoch, as sent in
 * {@code X-Medpki-Timestamp}), one '.' and the body's exact bytes. The timestamp is in the MAC so
 * that a receiver that refuses old timestamps refuses a replayed request.
 */
public final class WebhookSignature {
    public static final String SIGNATURE_HEADER = "X-Medpki-Signature";
    public static final String TIMESTAMP_HEADER = "X-Medpki-Timestamp";
    private static final String PREFIX = "sha256=";

    private WebhookSignature() {
    }

    /** The value of {@value #SIGNATURE_HEADER} for {@code body} sent at {@code epochSeconds}. */
    public static String sign(byte[] secret, long epochSeconds, byte[] body) {
        return PREFIX + HexFormat.of().formatHex(mac(secret, epochSeconds, body));
    }

    /** Whether {@code header} is the signature of {@code body} at {@code epochSeconds} (compared in constant time). */
    public static boolean verify(byte[] secret, long epochSeconds, byte[] body, String header) {
        if (header == null || !header.startsWith(PREFIX)) {
            return false;
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(header.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(mac(secret, epochSeconds, body), given);
    }

    private static byte[] mac(byte[] secret, long epochSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((epochSeconds + ".").getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
