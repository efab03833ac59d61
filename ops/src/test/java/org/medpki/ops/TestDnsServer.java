package org.medpki.ops;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A tiny authoritative-ish DNS server on UDP loopback for the ACME tests: TXT records come from
 * files in a directory (one file per name, one value per line; lego's exec provider writes them),
 * CAA records from a map the test fills. Every other question gets an empty NOERROR answer.
 */
final class TestDnsServer implements AutoCloseable {
    private final DatagramSocket socket;
    private final Path txtDir;
    private final Map<String, List<String>> caaIssue = new ConcurrentHashMap<>();
    private final Thread thread;

    TestDnsServer(Path txtDir) throws IOException {
        this.txtDir = txtDir;
        Files.createDirectories(txtDir);
        this.socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        this.thread = Thread.ofPlatform().daemon().name("test-dns").start(this::serve);
    }

    int port() {
        return socket.getLocalPort();
    }

    String address() {
        return "127.0.0.1:" + port();
    }

    /** CAA "issue" values for a name (e.g. "other-ca.example"). */
    void caa(String name, String... issuers) {
        caaIssue.put(name.toLowerCase(Locale.ROOT), List.of(issuers));
    }

    private void serve() {
        byte[] buf = new byte[1500];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
                byte[] answer = answer(ByteBuffer.wrap(buf, 0, p.getLength()));
                socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
            } catch (IOException | RuntimeException e) {
                // closed, or a malformed query: ignore it
            }
        }
    }

    private byte[] answer(ByteBuffer q) throws IOException {
        int id = q.getShort(0) & 0xffff;
        q.position(12);
        StringBuilder name = new StringBuilder();
        int start = 12;
        while (true) {
            int len = q.get() & 0xff;
            if (len == 0) {
                break;
            }
            byte[] label = new byte[len];
            q.get(label);
            name.append(name.isEmpty() ? "" : ".").append(new String(label, StandardCharsets.US_ASCII));
        }
        int type = q.getShort() & 0xffff;
        q.getShort();
        int end = q.position();
        String n = name.toString().toLowerCase(Locale.ROOT);
        List<byte[]> rdata = new java.util.ArrayList<>();
        if (type == 16) {
            Path f = txtDir.resolve(n);
            if (Files.exists(f)) {
                for (String v : Files.readAllLines(f)) {
                    if (!v.isBlank()) {
                        byte[] b = v.trim().getBytes(StandardCharsets.UTF_8);
                        byte[] r = new byte[b.length + 1];
                        r[0] = (byte) b.length;
                        System.arraycopy(b, 0, r, 1, b.length);
                        rdata.add(r);
                    }
                }
            }
        } else if (type == 257) {
            for (String issuer : caaIssue.getOrDefault(n, List.of())) {
                ByteArrayOutputStream r = new ByteArrayOutputStream();
                r.write(0);
                r.write(5);
                r.writeBytes("issue".getBytes(StandardCharsets.US_ASCII));
                r.writeBytes(issuer.getBytes(StandardCharsets.US_ASCII));
                rdata.add(r.toByteArray());
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(id >> 8);
        out.write(id);
        out.write(0x85); // response, authoritative, RD
        out.write(0x80); // RA, NOERROR
        out.writeBytes(new byte[] {0, 1, 0, (byte) rdata.size(), 0, 0, 0, 0});
        out.write(q.array(), q.arrayOffset() + start, end - start);
        for (byte[] r : rdata) {
            out.writeBytes(new byte[] {(byte) 0xc0, 12, (byte) (type >> 8), (byte) type, 0, 1, 0, 0, 0, 60});
            out.write(r.length >> 8);
            out.write(r.length);
            out.writeBytes(r);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        socket.close();
    }
}
