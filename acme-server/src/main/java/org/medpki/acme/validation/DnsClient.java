package org.medpki.acme.validation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal DNS stub client over UDP (RFC 1035): one question, recursion desired, answers of the
 * asked type returned as raw RDATA. Enough for A, AAAA, TXT and CAA look-ups against one
 * configured resolver; no DNSSEC, no TCP fallback (a truncated answer is an error).
 */
public final class DnsClient {
    public static final int A = 1;
    public static final int TXT = 16;
    public static final int AAAA = 28;
    public static final int CAA = 257;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final InetSocketAddress server;
    private final Duration timeout;

    public DnsClient(InetSocketAddress server, Duration timeout) {
        this.server = server;
        this.timeout = timeout;
    }

    /** The DNS server's failure or silence. */
    public static final class DnsFailure extends Exception {
        public DnsFailure(String message) {
            super(message, null, false, false);
        }
    }

    /** The RDATA of each answer record of {@code type}; empty for NXDOMAIN or no data. */
    public List<byte[]> query(String name, int type) throws DnsFailure {
        int id = RANDOM.nextInt(0x10000);
        byte[] question = encodeQuery(id, name, type);
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis() / 2));
            for (int attempt = 0; attempt < 2; attempt++) {
                socket.send(new DatagramPacket(question, question.length, server));
                byte[] buf = new byte[4096];
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    while (true) {
                        socket.receive(p);
                        ByteBuffer r = ByteBuffer.wrap(buf, 0, p.getLength());
                        if (p.getLength() >= 12 && (r.getShort(0) & 0xffff) == id) {
                            return decodeAnswers(ByteBuffer.wrap(java.util.Arrays.copyOf(buf, p.getLength())), type, name);
                        }
                    }
                } catch (SocketTimeoutException e) {
                    // ask once more
                }
            }
        } catch (IOException e) {
            throw new DnsFailure("DNS query for " + name + " failed: " + e.getMessage());
        }
        throw new DnsFailure("the DNS server " + server.getHostString() + ":" + server.getPort()
                + " did not answer for " + name);
    }

    /** The TXT strings of {@code name}, each record's strings joined. */
    public List<String> txt(String name) throws DnsFailure {
        List<String> out = new ArrayList<>();
        for (byte[] rdata : query(name, TXT)) {
            StringBuilder b = new StringBuilder();
            int i = 0;
            while (i < rdata.length) {
                int len = rdata[i] & 0xff;
                b.append(new String(rdata, i + 1, Math.min(len, rdata.length - i - 1), StandardCharsets.UTF_8));
                i += len + 1;
            }
            out.add(b.toString());
        }
        return out;
    }

    static byte[] encodeQuery(int id, String name, int type) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(id >> 8);
        out.write(id);
        out.write(0x01); // RD
        out.write(0x00);
        out.writeBytes(new byte[] {0, 1, 0, 0, 0, 0, 0, 0});
        writeName(out, name);
        out.write(type >> 8);
        out.write(type);
        out.write(0);
        out.write(1); // IN
        return out.toByteArray();
    }

    static void writeName(ByteArrayOutputStream out, String name) {
        for (String label : name.split("\\.")) {
            if (label.isEmpty()) {
                continue;
            }
            byte[] b = label.getBytes(StandardCharsets.US_ASCII);
            if (b.length > 63) {
                throw new IllegalArgumentException("DNS label longer than 63 octets");
            }
            out.write(b.length);
            out.writeBytes(b);
        }
        out.write(0);
    }

    static List<byte[]> decodeAnswers(ByteBuffer r, int type, String name) throws DnsFailure {
        int flags = r.getShort(2) & 0xffff;
        if ((flags & 0x8000) == 0) {
            throw new DnsFailure("the DNS answer for " + name + " is not a response");
        }
        if ((flags & 0x0200) != 0) {
            throw new DnsFailure("the DNS answer for " + name + " was truncated");
        }
        int rcode = flags & 0xf;
        if (rcode == 3) {
            return List.of();
        }
        if (rcode != 0) {
            throw new DnsFailure("the DNS server answered rcode " + rcode + " for " + name);
        }
        int qd = r.getShort(4) & 0xffff;
        int an = r.getShort(6) & 0xffff;
        r.position(12);
        for (int i = 0; i < qd; i++) {
            skipName(r);
            r.position(r.position() + 4);
        }
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < an; i++) {
            skipName(r);
            int rtype = r.getShort() & 0xffff;
            r.getShort();
            r.getInt();
            int len = r.getShort() & 0xffff;
            byte[] rdata = new byte[len];
            r.get(rdata);
            if (rtype == type) {
                out.add(rdata);
            }
        }
        return out;
    }

    static void skipName(ByteBuffer r) {
        while (true) {
            int len = r.get() & 0xff;
            if (len == 0) {
                return;
            }
            if ((len & 0xc0) == 0xc0) {
                r.get();
                return;
            }
            r.position(r.position() + len);
        }
    }
}
