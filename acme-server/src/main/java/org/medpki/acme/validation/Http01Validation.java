package org.medpki.acme.validation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.medpki.acme.AcmeConfig;
import org.medpki.acme.AcmeException;
import org.medpki.acme.Identifier;
import org.medpki.acme.ProblemType;

/**
 * http-01 (RFC 8555 8.3): GET http://NAME:PORT/.well-known/acme-challenge/TOKEN must answer 200
 * with the key authorization. Plain HTTP/1.1 over a socket to an address we chose (so the deny-list
 * holds for every hop); at most {@value #MAX_REDIRECTS} redirects, to http on the validation port
 * only; the response is capped at {@value #MAX_RESPONSE} bytes; every read has the timeout.
 */
final class Http01Validation {
    static final int MAX_REDIRECTS = 5;
    static final int MAX_RESPONSE = Http01Body.MAX_BYTES;
    private final ChallengeValidator validator;
    private final AcmeConfig config;

    Http01Validation(ChallengeValidator validator, AcmeConfig config) {
        this.validator = validator;
        this.config = config;
    }

    void validate(Identifier identifier, String token, String keyAuthorization) {
        String host = identifier.value();
        String path = "/.well-known/acme-challenge/" + token;
        Identifier target = identifier;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            Response r = fetch(target, host, path);
            if (r.status() >= 300 && r.status() < 400 && r.location() != null) {
                URI next;
                try {
                    next = URI.create(host(host) + path).resolve(r.location().trim());
                } catch (IllegalArgumentException e) {
                    throw ChallengeValidator.problem(ProblemType.CONNECTION, "a redirect to an invalid URL", identifier);
                }
                int port = next.getPort() == -1 ? 80 : next.getPort();
                if (!"http".equalsIgnoreCase(next.getScheme()) || next.getHost() == null
                        || (port != config.http01Port() && port != 80)) {
                    throw ChallengeValidator.problem(ProblemType.CONNECTION,
                            "a redirect to " + next.getScheme() + " port " + port + " is not followed", identifier);
                }
                host = next.getHost().toLowerCase(Locale.ROOT);
                path = next.getRawPath() + (next.getRawQuery() == null ? "" : "?" + next.getRawQuery());
                target = host.matches("[0-9.]+|\\[?[0-9a-f:]+\\]?") ? new Identifier("ip", host.replace("[", "").replace("]", ""))
                        : new Identifier("dns", host);
                continue;
            }
            if (r.status() != 200) {
                throw ChallengeValidator.problem(ProblemType.INCORRECT_RESPONSE, "the http-01 response had status "
                        + r.status(), identifier);
            }
            Http01Body.check(r.body(), keyAuthorization, identifier);
            return;
        }
        throw ChallengeValidator.problem(ProblemType.CONNECTION, "too many redirects", identifier);
    }

    private String host(String host) {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + config.http01Port();
    }

    record Response(int status, String location, String body) {
    }

    private Response fetch(Identifier target, String host, String path) {
        List<InetAddress> addresses = validator.targets(target);
        AcmeException last = null;
        for (InetAddress address : addresses) {
            try (Socket s = new Socket()) {
                int timeout = (int) config.validationTimeout().toMillis();
                s.connect(new InetSocketAddress(address, config.http01Port()), timeout);
                s.setSoTimeout(timeout);
                String hostHeader = (host.contains(":") ? "[" + host + "]" : host)
                        + (config.http01Port() == 80 ? "" : ":" + config.http01Port());
                OutputStream out = s.getOutputStream();
                out.write(("GET " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nUser-Agent: medpki-acme-validator"
                        + "\r\nAccept: */*\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return parse(readCapped(s.getInputStream()), target);
            } catch (IOException e) {
                last = ChallengeValidator.problem(ProblemType.CONNECTION, "cannot fetch the http-01 resource from "
                        + address.getHostAddress() + " port " + config.http01Port() + ": " + e.getMessage(), target);
            }
        }
        throw last;
    }

    private static byte[] readCapped(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int n;
        while ((n = in.read(buf)) > 0) {
            b.write(buf, 0, n);
            if (b.size() > MAX_RESPONSE + 8192) {
                throw new IOException("the response is larger than " + MAX_RESPONSE + " bytes");
            }
        }
        return b.toByteArray();
    }

    static Response parse(byte[] raw, Identifier identifier) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.") || end < 0) {
            throw ChallengeValidator.problem(ProblemType.CONNECTION, "the http-01 response is not HTTP/1.x", identifier);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        int status;
        try {
            status = Integer.parseInt(statusLine[1]);
        } catch (RuntimeException e) {
            throw ChallengeValidator.problem(ProblemType.CONNECTION, "the http-01 response has no status", identifier);
        }
        String location = null;
        boolean chunked = false;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            if (name.equals("location")) {
                location = value;
            } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                chunked = true;
            }
        }
        String body = text.substring(end + 4);
        if (chunked) {
            body = dechunk(body);
        }
        return new Response(status, location, Http01Body.decode(body.getBytes(StandardCharsets.ISO_8859_1), identifier));
    }

    private static String dechunk(String body) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < body.length()) {
            int eol = body.indexOf("\r\n", i);
            if (eol < 0) {
                break;
            }
            int size;
            try {
                size = Integer.parseInt(body.substring(i, eol).split(";")[0].trim(), 16);
            } catch (NumberFormatException e) {
                break;
            }
            if (size == 0) {
                break;
            }
            int start = eol + 2;
            out.append(body, start, Math.min(body.length(), start + size));
            i = start + size + 2;
        }
        return out.toString();
    }
}
