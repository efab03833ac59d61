package org.medpki.crl;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One file the repository serves, in DER and PEM: a CRL or a CA certificate, with its HTTP
 * validators. {@code nextUpdate} null: no expiry (certificates; served with a day's max-age).
 */
record ServedFile(String stem, String pemLabel, String derType, byte[] der, String etag, Instant lastModified,
                  Instant nextUpdate) {
    ServedFile {
        Objects.requireNonNull(stem, "stem");
        Objects.requireNonNull(der, "der");
        Objects.requireNonNull(lastModified, "lastModified");
    }

    static ServedFile crl(String stem, byte[] der, Instant thisUpdate, Instant nextUpdate) {
        return new ServedFile(stem, "X509 CRL", "application/pkix-crl", der, etag(der), thisUpdate, nextUpdate);
    }

    static ServedFile certificate(String stem, byte[] der, Instant notBefore) {
        return new ServedFile(stem, "CERTIFICATE", "application/pkix-cert", der, etag(der), notBefore, null);
    }

    String pem() {
        return "-----BEGIN " + pemLabel + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + pemLabel + "-----\n";
    }

    private static String etag(byte[] der) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(der);
            return "\"" + HexFormat.of().formatHex(h, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
