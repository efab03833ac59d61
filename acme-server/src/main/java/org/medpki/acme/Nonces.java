package org.medpki.acme;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Replay nonces (RFC 8555 6.5) that cost no storage to issue: a nonce is 16 random bytes, its
 * expiry (seconds since the epoch) and the first 16 bytes of an HMAC-SHA256 over both under the
 * installation's nonce key ({@link AcmeRepository#nonceKey()}), base64url. A nonce that fails
 * the MAC or has expired is refused without the database; a good one is spent once through
 * {@link AcmeRepository#spendNonce}, which decides replays across instances.
 */
public final class Nonces {
    static final Duration LIFETIME = Duration.ofMinutes(30);
    private static final int RANDOM = 16;
    private static final int TAG = 16;
    private static final int LENGTH = RANDOM + Long.BYTES + TAG;
    /** The base64url length of a nonce (no padding). */
    static final int ENCODED_LENGTH = (LENGTH * 8 + 5) / 6;
    private static final byte[] LABEL = "medpki acme nonce v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final SecretKeySpec key;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    /** A nonce that passed the MAC and expiry checks: {@code id} to spend, kept until {@code expires}. */
    public record Checked(String id, Instant expires) {
    }

    public Nonces(byte[] key, Clock clock) {
        if (key == null || key.length < 32) {
            throw new IllegalArgumentException("the ACME nonce key must have at least 32 bytes");
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
        this.clock = clock;
    }

    /** A fresh nonce, valid for {@link #LIFETIME}. */
    public String mint() {
        byte[] nonce = new byte[LENGTH];
        byte[] r = new byte[RANDOM];
        random.nextBytes(r);
        ByteBuffer b = ByteBuffer.wrap(nonce).put(r).putLong(clock.instant().plus(LIFETIME).getEpochSecond());
        b.put(tag(nonce));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(nonce);
    }

    /** The nonce's id and expiry when it is one of ours and has not expired; empty otherwise. */
    public Optional<Checked> check(String nonce) {
        if (nonce == null || nonce.length() != ENCODED_LENGTH || !nonce.matches("[A-Za-z0-9_-]+")) {
            return Optional.empty();
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(nonce);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (raw.length != LENGTH
                || !MessageDigest.isEqual(tag(raw), Arrays.copyOfRange(raw, RANDOM + Long.BYTES, LENGTH))) {
            return Optional.empty();
        }
        long seconds = ByteBuffer.wrap(raw, RANDOM, Long.BYTES).getLong();
        Instant expires = Instant.ofEpochSecond(Math.clamp(seconds, 0, Instant.MAX.getEpochSecond()));
        if (!expires.isAfter(clock.instant())) {
            return Optional.empty();
        }
        return Optional.of(new Checked(Base64.getUrlEncoder().withoutPadding()
                .encodeToString(Arrays.copyOf(raw, RANDOM)), expires));
    }

    /** The MAC over the random part and the expiry of {@code nonce}. */
    private byte[] tag(byte[] nonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(LABEL);
            mac.update(nonce, 0, RANDOM + Long.BYTES);
            return Arrays.copyOf(mac.doFinal(), TAG);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
