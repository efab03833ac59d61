package org.medpki.acme.validation;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A minimal DNS stub client (RFC 1035): one question, recursion desired, answers of the asked type
 * returned as raw RDATA. Enough for A, AAAA, TXT and CAA look-ups against one configured resolver;
 * no DNSSEC. Asks over UDP with an EDNS(0) payload size of 1232 bytes (RFC 6891, the DNS flag
 * day 2020 value that avoids IP fragmentation) and repeats the question over TCP (RFC 7766) when
 * the UDP answer is truncated: large dns-01 TXT sets and CAA sets do not fit in 512 bytes. Both
 * transports share one deadline, one size cap and the same checks of ID and question.
 */
public final class DnsClient {
    public static final int A = 1;
    public static final int TXT = 16;
    public static final int AAAA = 28;
    public static final int CAA = 257;
    static final int OPT = 41;
    static final int EDNS_UDP_PAYLOAD = 1232;
    /** Larger answers are refused on either transport; a 100-record dns-01 TXT set is about 6 KiB. */
    static final int MAX_RESPONSE_BYTES = 16384;
    private static final int HEADER_BYTES = 12;
    private static final int RCODE_FORMERR = 1;
    private static final int RCODE_NXDOMAIN = 3;
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

    /** One question as sent: the message, its ID and where its question section ends. */
    record Query(int id, byte[] message, int questionEnd) {
    }

    /** The RDATA of each answer record of {@code type}; empty for NXDOMAIN or no data. */
    public List<byte[]> query(String name, int type) throws DnsFailure {
        long deadline = System.nanoTime() + timeout.toNanos();
        Query query = encodeQuery(RANDOM.nextInt(0x10000), name, type, true);
        ByteBuffer answer = overUdp(query, name);
        // A server that does not know EDNS may answer FORMERR (RFC 6891 7): ask it plainly once.
        if (rcode(answer) == RCODE_FORMERR) {
            query = encodeQuery(RANDOM.nextInt(0x10000), name, type, false);
            answer = overUdp(query, name);
        }
        if (truncated(answer)) {
            answer = overTcp(query, name, deadline);
        }
        return decodeAnswers(answer, type, name);
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

    /**
     * Two tries of half the timeout each; a TCP retry gets what is left of the timeout counted
     * from the first send. Datagrams that are not the answer to this query (other source, wrong
     * ID or question, too short) are ignored: anyone can send a datagram.
     */
    private ByteBuffer overUdp(Query query, String name) throws DnsFailure {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(server);
            byte[] buf = new byte[MAX_RESPONSE_BYTES + 1];
            for (int attempt = 0; attempt < 2; attempt++) {
                socket.send(new DatagramPacket(query.message(), query.message().length));
                // per try, not per datagram: a stream of stray datagrams cannot stretch the wait
                long tryDeadline = System.nanoTime() + timeout.toNanos() / 2;
                try {
                    while (true) {
                        long left = Duration.ofNanos(tryDeadline - System.nanoTime()).toMillis();
                        if (left <= 0) {
                            break;
                        }
                        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        socket.receive(p);
                        if (p.getLength() > MAX_RESPONSE_BYTES) {
                            throw new DnsFailure("the DNS answer for " + name + " is larger than "
                                    + MAX_RESPONSE_BYTES + " bytes");
                        }
                        ByteBuffer r = ByteBuffer.wrap(Arrays.copyOf(buf, p.getLength()));
                        if (mismatch(r, query) == null) {
                            return r;
                        }
                    }
                } catch (SocketTimeoutException e) {
                    // ask once more
                }
            }
        } catch (PortUnreachableException e) {
            throw new DnsFailure("nothing answers DNS at " + serverName() + " (UDP port unreachable) for " + name);
        } catch (IOException e) {
            throw new DnsFailure("DNS query for " + name + " failed: " + e.getMessage());
        }
        throw new DnsFailure("the DNS server " + serverName() + " did not answer for " + name);
    }

    /**
     * The same question over TCP with a two-byte length prefix (RFC 1035 4.2.2), within what is
     * left of the deadline. One connection carries only this answer, so a wrong ID or question is
     * an error here rather than a datagram to ignore.
     */
    private ByteBuffer overTcp(Query query, String name, long deadline) throws DnsFailure {
        try (Socket socket = new Socket()) {
            socket.connect(server, remainingMillis(deadline, name));
            OutputStream out = socket.getOutputStream();
            byte[] framed = new byte[query.message().length + 2];
            framed[0] = (byte) (query.message().length >> 8);
            framed[1] = (byte) query.message().length;
            System.arraycopy(query.message(), 0, framed, 2, query.message().length);
            out.write(framed);
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] prefix = readFully(socket, in, 2, deadline, name);
            int length = ((prefix[0] & 0xff) << 8) | (prefix[1] & 0xff);
            if (length > MAX_RESPONSE_BYTES) {
                throw new DnsFailure("the DNS answer over TCP for " + name + " is larger than "
                        + MAX_RESPONSE_BYTES + " bytes (" + length + ")");
            }
            ByteBuffer r = ByteBuffer.wrap(readFully(socket, in, length, deadline, name));
            String mismatch = mismatch(r, query);
            if (mismatch != null) {
                throw new DnsFailure("the DNS server " + serverName() + " answered over TCP for " + name
                        + " with " + mismatch);
            }
            return r;
        } catch (SocketTimeoutException e) {
            throw tcpTimeout(name);
        } catch (EOFException e) {
            throw new DnsFailure("the DNS server " + serverName() + " closed the TCP connection before answering for " + name);
        } catch (IOException e) {
            throw new DnsFailure("DNS query over TCP for " + name + " failed: " + e.getMessage());
        }
    }

    /** Reads exactly {@code n} bytes, each read bounded by the time left, so a trickle cannot outlast it. */
    private byte[] readFully(Socket socket, InputStream in, int n, long deadline, String name)
            throws IOException, DnsFailure {
        byte[] buf = new byte[n];
        int off = 0;
        while (off < n) {
            socket.setSoTimeout(remainingMillis(deadline, name));
            int read = in.read(buf, off, n - off);
            if (read < 0) {
                throw new EOFException();
            }
            off += read;
        }
        return buf;
    }

    private int remainingMillis(long deadline, String name) throws DnsFailure {
        long left = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
        if (left <= 0) {
            throw tcpTimeout(name);
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    private DnsFailure tcpTimeout(String name) {
        return new DnsFailure("the DNS server " + serverName() + " did not answer over TCP for " + name
                + " within " + timeout.toMillis() + " ms (its UDP answer was truncated)");
    }

    private String serverName() {
        return server.getHostString() + ":" + server.getPort();
    }

    /** Why {@code r} is not the answer to {@code query} (null when it is): short, wrong ID or question. */
    static String mismatch(ByteBuffer r, Query query) {
        if (r.limit() < HEADER_BYTES) {
            return "a message shorter than a DNS header";
        }
        int id = r.getShort(0) & 0xffff;
        if (id != query.id()) {
            return "a wrong ID (" + id + " instead of " + query.id() + ")";
        }
        if ((r.getShort(4) & 0xffff) != 1 || r.limit() < query.questionEnd()) {
            return "a question section other than the one asked";
        }
        for (int i = HEADER_BYTES; i < query.questionEnd(); i++) {
            // names compare without regard to ASCII case (RFC 4343)
            if (asciiLower(r.get(i)) != asciiLower(query.message()[i])) {
                return "a question section other than the one asked";
            }
        }
        return null;
    }

    private static int asciiLower(byte b) {
        return b >= 'A' && b <= 'Z' ? b + 32 : b;
    }

    private static int rcode(ByteBuffer r) {
        return r.getShort(2) & 0xf;
    }

    private static boolean truncated(ByteBuffer r) {
        return (r.getShort(2) & 0x0200) != 0;
    }

    /** A query without EDNS: kept for tests that build answers from it. */
    static byte[] encodeQuery(int id, String name, int type) {
        return encodeQuery(id, name, type, false).message();
    }

    static Query encodeQuery(int id, String name, int type, boolean edns) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(id >> 8);
        out.write(id);
        out.write(0x01); // RD
        out.write(0x00);
        out.writeBytes(new byte[] {0, 1, 0, 0, 0, 0, 0, edns ? (byte) 1 : 0});
        writeName(out, name);
        out.write(type >> 8);
        out.write(type);
        out.write(0);
        out.write(1); // IN
        int questionEnd = out.size();
        if (edns) {
            // OPT pseudo-record (RFC 6891 6.1.2): root name, type 41, CLASS = UDP payload size,
            // TTL = extended rcode 0, version 0, no DO bit; no options.
            out.write(0);
            out.write(OPT >> 8);
            out.write(OPT);
            out.write(EDNS_UDP_PAYLOAD >> 8);
            out.write(EDNS_UDP_PAYLOAD);
            out.writeBytes(new byte[] {0, 0, 0, 0, 0, 0});
        }
        return new Query(id, out.toByteArray(), questionEnd);
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

    /**
     * The answer section's RDATA of {@code type}, from a UDP or TCP message alike. The authority
     * and additional sections (where a server's own OPT record goes) are not read.
     */
    static List<byte[]> decodeAnswers(ByteBuffer r, int type, String name) throws DnsFailure {
        try {
            return decode(r, type, name);
        } catch (BufferUnderflowException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new DnsFailure("the DNS answer for " + name + " is malformed");
        }
    }

    private static List<byte[]> decode(ByteBuffer r, int type, String name) throws DnsFailure {
        int flags = r.getShort(2) & 0xffff;
        if ((flags & 0x8000) == 0) {
            throw new DnsFailure("the DNS answer for " + name + " is not a response");
        }
        if ((flags & 0x0200) != 0) {
            throw new DnsFailure("the DNS answer for " + name + " was truncated");
        }
        int rcode = flags & 0xf;
        if (rcode == RCODE_NXDOMAIN) {
            return List.of();
        }
        if (rcode != 0) {
            throw new DnsFailure("the DNS server answered rcode " + rcode + " for " + name);
        }
        int qd = r.getShort(4) & 0xffff;
        int an = r.getShort(6) & 0xffff;
        r.position(HEADER_BYTES);
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
