package org.medpki.core.crl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.medpki.core.revocation.RevocationReason;

/**
 * Hand-written DER for CRL entries, so that a million entries cost a million small byte runs
 * in one buffer rather than millions of ASN.1 objects. The linter parses the result back with
 * BouncyCastle, so an encoding mistake here cannot reach a signature.
 */
final class CrlDer {
    private static final byte[] REASON_OID = {0x06, 0x03, 0x55, 0x1d, 0x15};
    private static final byte[] INVALIDITY_OID = {0x06, 0x03, 0x55, 0x1d, 0x18};

    private CrlDer() {
    }

    /** A growable byte buffer whose content can be written out without a copy. */
    static final class Buffer extends ByteArrayOutputStream {
        Buffer(int size) {
            super(size);
        }

        byte[] array() {
            return buf;
        }
    }

    /** Appends SEQUENCE { serial, revocationDate, [crlEntryExtensions] } to {@code out}. */
    static void entry(Buffer out, RevokedEntry e) {
        byte[] serial = e.serial().toByteArray();
        byte[] date = time(e.revokedAt(), false);
        boolean reason = e.reason() != RevocationReason.UNSPECIFIED;
        boolean invalidity = e.invalidityDate() != null;
        int extLen = 0;
        byte[] inv = null;
        if (reason) {
            extLen += 2 + REASON_OID.length + 2 + 3;
        }
        if (invalidity) {
            inv = time(e.invalidityDate(), true);
            extLen += 2 + INVALIDITY_OID.length + 2 + inv.length;
        }
        int contentLen = 2 + serial.length + date.length + (extLen > 0 ? 2 + extLen : 0);
        header(out, 0x30, contentLen);
        header(out, 0x02, serial.length);
        out.write(serial, 0, serial.length);
        out.write(date, 0, date.length);
        if (extLen > 0) {
            header(out, 0x30, extLen);
            if (reason) {
                header(out, 0x30, REASON_OID.length + 2 + 3);
                out.write(REASON_OID, 0, REASON_OID.length);
                out.write(0x04);
                out.write(3);
                out.write(0x0a);
                out.write(1);
                out.write(e.reason().code());
            }
            if (invalidity) {
                header(out, 0x30, INVALIDITY_OID.length + 2 + inv.length);
                out.write(INVALIDITY_OID, 0, INVALIDITY_OID.length);
                header(out, 0x04, inv.length);
                out.write(inv, 0, inv.length);
            }
        }
    }

    /** Tag and DER length. */
    static void header(OutputStream out, int tag, int length) {
        try {
            out.write(tag);
            if (length < 0x80) {
                out.write(length);
            } else {
                int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
                out.write(0x80 | bytes);
                for (int i = bytes - 1; i >= 0; i--) {
                    out.write(length >>> (8 * i));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static int headerLength(int length) {
        return length < 0x80 ? 2 : 2 + (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
    }

    /**
     * UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 5.1.2.4); {@code generalized}
     * forces GeneralizedTime (the invalidity date, RFC 5280 5.3.2).
     */
    static byte[] time(Instant t, boolean generalized) {
        LocalDateTime d = LocalDateTime.ofEpochSecond(t.getEpochSecond(), 0, ZoneOffset.UTC);
        boolean gt = generalized || d.getYear() >= 2050;
        byte[] out = new byte[gt ? 17 : 15];
        int i = 0;
        out[i++] = (byte) (gt ? 0x18 : 0x17);
        out[i++] = (byte) (gt ? 15 : 13);
        if (gt) {
            i = two(out, i, d.getYear() / 100);
        }
        i = two(out, i, d.getYear() % 100);
        i = two(out, i, d.getMonthValue());
        i = two(out, i, d.getDayOfMonth());
        i = two(out, i, d.getHour());
        i = two(out, i, d.getMinute());
        i = two(out, i, d.getSecond());
        out[i] = 'Z';
        return out;
    }

    private static int two(byte[] out, int i, int v) {
        out[i] = (byte) ('0' + v / 10);
        out[i + 1] = (byte) ('0' + v % 10);
        return i + 2;
    }

}
