package org.medpki.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP CONNECT proxy on loopback that sends every tunnel to 127.0.0.1 (same port): how the
 * unmodified ACME clients reach https://acme.hospital.test:PORT without a DNS entry for it, while
 * still checking the server's certificate against that name.
 */
final class ConnectProxy implements AutoCloseable {
    private final ServerSocket server;

    ConnectProxy() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("connect-proxy").start(this::accept);
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread.ofVirtual().start(() -> tunnel(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void tunnel(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    return;
                }
                head.append((char) c);
            }
            String[] first = head.toString().split("\r\n")[0].split(" ");
            if (first.length < 2 || !first[0].equals("CONNECT")) {
                client.getOutputStream().write("HTTP/1.1 405 Only CONNECT\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            int port = Integer.parseInt(first[1].substring(first[1].lastIndexOf(':') + 1));
            try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), port)) {
                client.getOutputStream().write("HTTP/1.1 200 Connection established\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                Thread back = Thread.ofVirtual().start(() -> pipe(upstream, client));
                pipe(client, upstream);
                back.join();
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // the tunnel ends
        }
    }

    private static void pipe(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            in.transferTo(out);
            to.shutdownOutput();
        } catch (IOException e) {
            // one side closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
