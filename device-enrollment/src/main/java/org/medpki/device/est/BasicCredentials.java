package org.medpki.device.est;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * HTTP Basic credentials (RFC 7617) as EST uses them (RFC 7030 3.2.3): the user is the device's
 * serial number, the password its one-time enrollment code. The code never appears in a
 * message, a log line or {@link #toString()}.
 */
record BasicCredentials(String serial, String code) {
    /** The longest serial accepted: the upper bound of an X.520 serialNumber (RFC 5280). */
    static final int MAX_SERIAL = 64;
    static final int MAX_CODE = 256;

    /** Malformed credentials: {@code claimed} is the serial when it could be read and is printable. */
    static final class Malformed extends Exception {
        private final String claimed;

        Malformed(String reason, String claimed) {
            super(reason, null, false, false);
            this.claimed = claimed;
        }

        String claimed() {
            return claimed;
        }
    }

    /** Parses an Authorization header value; anything but well-formed Basic credentials is {@link Malformed}. */
    static BasicCredentials parse(String authorization) throws Malformed {
        int space = authorization.indexOf(' ');
        String scheme = space < 0 ? authorization : authorization.substring(0, space);
        if (!scheme.toLowerCase(Locale.ROOT).equals("basic")) {
            throw new Malformed("an Authorization scheme other than Basic", null);
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(authorization.substring(space + 1).strip());
        } catch (IllegalArgumentException e) {
            throw new Malformed("Basic credentials that are not base64", null);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(decoded)).toString();
        } catch (CharacterCodingException e) {
            throw new Malformed("Basic credentials that are not UTF-8", null);
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new Malformed("Basic credentials without a ':' between serial and code", null);
        }
        String serial = text.substring(0, colon);
        String code = text.substring(colon + 1);
        if (serial.isEmpty() || serial.length() > MAX_SERIAL || !printable(serial)) {
            throw new Malformed("a Basic user that is not a device serial (1 to " + MAX_SERIAL
                    + " printable characters)", null);
        }
        if (code.isEmpty() || code.length() > MAX_CODE || code.chars().anyMatch(Character::isISOControl)) {
            throw new Malformed("a Basic password that is not an enrollment code (1 to " + MAX_CODE
                    + " characters, no control characters)", serial);
        }
        return new BasicCredentials(serial, code);
    }

    /** Printable ASCII only: the serial goes into audit entries as it was claimed. */
    static boolean printable(String s) {
        return s.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
    }

    @Override
    public String toString() {
        return "BasicCredentials[serial=" + serial + "]";
    }
}
