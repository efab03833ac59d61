package org.medpki.core.profile;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;

/** An IPv4 or IPv6 network in CIDR notation, e.g. 10.0.0.0/8 or fd00::/8. */
public record IpRange(byte[] network, int prefixLength) {
    public IpRange {
        Objects.requireNonNull(network, "network");
        if (network.length != 4 && network.length != 16) {
            throw new IllegalArgumentException("an IP network has 4 or 16 octets");
        }
        if (prefixLength < 0 || prefixLength > network.length * 8) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range");
        }
        network = network.clone();
        for (int bit = prefixLength; bit < network.length * 8; bit++) {
            if ((network[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
                throw new IllegalArgumentException("host bits are set in the network address");
            }
        }
    }

    /** Parses "a.b.c.d/n" or "x:y::/n" (literal addresses only: no host name is ever resolved). */
    public static IpRange parse(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + cidr + "' is not CIDR notation (address/prefix)");
        }
        String addr = cidr.substring(0, slash).trim();
        byte[] octets = literal(addr);
        if (octets == null) {
            throw new IllegalArgumentException("'" + addr + "' is not a literal IP address");
        }
        int prefix;
        try {
            prefix = Integer.parseInt(cidr.substring(slash + 1).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + cidr + "' has no numeric prefix length");
        }
        return new IpRange(octets, prefix);
    }

    /** The octets of a literal IPv4/IPv6 address, or null when the text is not one. */
    public static byte[] literal(String text) {
        boolean v4 = text.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = text.contains(":") && text.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) {
            return null;
        }
        if (v4) {
            for (String part : text.split("\\.")) {
                if (Integer.parseInt(part) > 255 || (part.length() > 1 && part.startsWith("0"))) {
                    return null;
                }
            }
        }
        try {
            // Only literals reach here, so no lookup happens.
            byte[] bytes = InetAddress.getByName(text).getAddress();
            return v6 && bytes.length == 4 ? null : bytes;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    public boolean contains(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        for (int bit = 0; bit < prefixLength; bit++) {
            int mask = 0x80 >>> (bit % 8);
            if ((address[bit / 8] & mask) != (network[bit / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public byte[] network() {
        return network.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpRange r && r.prefixLength == prefixLength && Arrays.equals(r.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefixLength;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
