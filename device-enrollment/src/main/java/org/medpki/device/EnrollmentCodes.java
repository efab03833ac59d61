package org.medpki.device;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * One-time enrollment codes: 160 random bits written as 32 characters of Crockford-style base32
 * (no I, L, O, U: easy to read off a label or type on a device keypad). The registry keeps the
 * code's SHA-256 (a fast hash is enough for a random 160-bit secret) and a copy sealed with
 * AES-256-GCM under the code key of the enrollment services, which CMP needs because a MAC is
 * keyed by the secret itself. The code key never enters the database.
 */
public final class EnrollmentCodes {
    /** The code key's length in bytes (AES-256). */
    public static final int KEY_BYTES = 32;
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final int CODE_CHARS = 32;
    private static final int NONCE_BYTES = 12;
    private static final SecureRandom RANDOM = new SecureRandom();
    private final SecretKeySpec key;

    public EnrollmentCodes(byte[] codeKey) {
        if (codeKey == null || codeKey.length != KEY_BYTES) {
            throw new PkiException(ErrorKind.CONFIGURATION, "the device code key must be " + KEY_BYTES + " bytes");
        }
        this.key = new SecretKeySpec(codeKey.clone(), "AES");
    }

    /** A new random code key. */
    public static byte[] newKey() {
        byte[] k = new byte[KEY_BYTES];
        RANDOM.nextBytes(k);
        return k;
    }

    /** A new code: 32 base32 characters, 160 bits. */
    public static String newCode() {
        byte[] random = new byte[CODE_CHARS * 5 / 8];
        RANDOM.nextBytes(random);
        StringBuilder b = new StringBuilder(CODE_CHARS);
        int buffer = 0;
        int bits = 0;
        for (byte x : random) {
            buffer = (buffer << 8) | (x & 0xff);
            bits += 8;
            while (bits >= 5) {
                b.append(ALPHABET[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        return b.toString();
    }

    /**
     * The SHA-256 of a code as a device gives it: upper-cased, with spaces and hyphens (grouping)
     * removed, so "abcd-efgh" and "ABCDEFGH" are the same code.
     */
    public static byte[] hash(String code) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(normalised(code).getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    static String normalised(String code) {
        return code == null ? "" : code.strip().replace("-", "").replace(" ", "")
                .toUpperCase(java.util.Locale.ROOT);
    }

    /** The code sealed for the registry: nonce || AES-GCM(code), the device's id bound as associated data. */
    public byte[] seal(String code, long deviceId) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            c.updateAAD(aad(deviceId));
            byte[] sealed = c.doFinal(normalised(code).getBytes(StandardCharsets.US_ASCII));
            byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + sealed.length);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new PkiException(ErrorKind.INTERNAL, "cannot seal an enrollment code", e);
        }
    }

    /** The code of a sealed copy (normalised, US-ASCII); CONFIGURATION when the code key is not the one that sealed it. */
    public byte[] unseal(byte[] sealed, long deviceId) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, sealed, 0, NONCE_BYTES));
            c.updateAAD(aad(deviceId));
            return c.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new PkiException(ErrorKind.CONFIGURATION,
                    "an enrollment code cannot be unsealed: this service's device code key is not the registry's");
        }
    }

    private static byte[] aad(long deviceId) {
        return ("medpki-device-code:" + deviceId).getBytes(StandardCharsets.US_ASCII);
    }
}
