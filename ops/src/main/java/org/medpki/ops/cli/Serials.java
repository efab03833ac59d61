package org.medpki.ops.cli;

import java.math.BigInteger;

/** Serial numbers as operators type them: hex, with or without colons or a 0x prefix. */
final class Serials {
    private Serials() {
    }

    static BigInteger parse(String text) {
        String hex = text.trim().toLowerCase(java.util.Locale.ROOT).replace(":", "");
        if (hex.startsWith("0x")) {
            hex = hex.substring(2);
        }
        if (hex.isEmpty() || hex.length() > 40 || !hex.matches("[0-9a-f]+")) {
            throw new IllegalArgumentException("serial '" + text + "' is not a hexadecimal serial number");
        }
        BigInteger serial = new BigInteger(hex, 16);
        if (serial.signum() == 0) {
            throw new IllegalArgumentException("serial 0 is never issued");
        }
        return serial;
    }
}
