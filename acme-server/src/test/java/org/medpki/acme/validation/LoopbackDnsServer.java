package org.medpki.acme.validation;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * A DNS server on loopback for DnsClient's tests, on UDP and TCP at one port as a real resolver
 * is. Each transport answers a query through its own function; a function returning null stays
 * silent (over TCP: it keeps the connection open without a word). Queries are kept for asserts.
 */
final class LoopbackDnsServer implements AutoCloseable {
    final List<byte[]> udpQueries = new CopyOnWriteArrayList<>();
    final List<byte[]> tcpQueries = new CopyOnWriteArrayList<>();
    private final ServerSocket tcp;
    private final DatagramSocket udp;
    private final UnaryOperator<byte[]> udpAnswer;
    private final UnaryOperator<byte[]> tcpAnswer;
    private final List<Socket> connections = new CopyOnWriteArrayList<>();

    LoopbackDnsServer(UnaryOperator<byte[]> udpAnswer, UnaryOperator<byte[]> tcpAnswer) throws IOException {
        this.udpAnswer = udpAnswer;
        this.tcpAnswer = tcpAnswer;
        InetAddress loopback = InetAddress.getLoopbackAddress();
        ServerSocket tcpSocket = null;
        DatagramSocket udpSocket = null;
        // the UDP port of the same number may be taken: try a few TCP ports
        for (int attempt = 0; udpSocket == null; attempt++) {
            tcpSocket = new ServerSocket(0, 10, loopback);
            try {
                udpSocket = new DatagramSocket(new InetSocketAddress(loopback, tcpSocket.getLocalPort()));
            } catch (BindException e) {
                tcpSocket.close();
                if (attempt == 20) {
                    throw e;
                }
            }
        }
        this.tcp = tcpSocket;
        this.udp = udpSocket;
        Thread.ofPlatform().daemon().name("test-dns-udp").start(this::serveUdp);
        Thread.ofPlatform().daemon().name("test-dns-tcp").start(this::serveTcp);
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), tcp.getLocalPort());
    }

    private void serveUdp() {
        byte[] buf = new byte[4096];
        while (!udp.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                byte[] query = Arrays.copyOf(buf, p.getLength());
                udpQueries.add(query);
                byte[] answer = udpAnswer.apply(query);
                if (answer != null) {
                    udp.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
                }
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void serveTcp() {
        while (!tcp.isClosed()) {
            try {
                Socket c = tcp.accept();
                connections.add(c);
                DataInputStream in = new DataInputStream(c.getInputStream());
                byte[] query = new byte[in.readUnsignedShort()];
                in.readFully(query);
                tcpQueries.add(query);
                byte[] answer = tcpAnswer.apply(query);
                if (answer != null) {
                    // The length prefix and the message in one write, as DNS servers send them:
                    // dnsjava's TCP client loses the framing when the two-byte prefix arrives in
                    // two reads (it then reads the rest as the message), which separate one-byte
                    // writes brought about on a loaded machine (a 30 s timeout now and then).
                    byte[] framed = new byte[answer.length + 2];
                    framed[0] = (byte) (answer.length >> 8);
                    framed[1] = (byte) answer.length;
                    System.arraycopy(answer, 0, framed, 2, answer.length);
                    OutputStream out = c.getOutputStream();
                    out.write(framed);
                    out.flush();
                }
            } catch (IOException e) {
                // closed, or the client went away
            }
        }
    }

    /** The end of the query's question section (header, name, type, class). */
    static int questionEnd(byte[] query) {
        int i = 12;
        while (query[i] != 0) {
            i += (query[i] & 0xff) + 1;
        }
        return i + 1 + 4;
    }

    /**
     * An answer to {@code query} with the given ID, flag bits (QR and RD are set here) and TXT
     * records, each RDATA one character-string, named by a pointer to the question.
     */
    static byte[] txtAnswer(byte[] query, int id, int flags, List<String> values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int f = 0x8100 | 0x0080 | flags;
        out.writeBytes(new byte[] {(byte) (id >> 8), (byte) id, (byte) (f >> 8), (byte) f,
                0, 1, (byte) (values.size() >> 8), (byte) values.size(), 0, 0, 0, 0});
        out.write(query, 12, questionEnd(query) - 12);
        for (String v : values) {
            byte[] b = v.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            out.writeBytes(new byte[] {(byte) 0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 60, 0, (byte) (b.length + 1), (byte) b.length});
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    static int id(byte[] query) {
        return ((query[0] & 0xff) << 8) | (query[1] & 0xff);
    }

    @Override
    public void close() throws IOException {
        udp.close();
        tcp.close();
        for (Socket c : connections) {
            c.close();
        }
    }
}
