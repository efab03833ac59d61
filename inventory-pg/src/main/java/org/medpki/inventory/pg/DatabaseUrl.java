package org.medpki.inventory.pg;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * Where the inventory database is and whom to log in as, parsed from
 * {@code postgresql://user:password@host:port/db} (also {@code postgres://} and JDBC's
 * {@code jdbc:postgresql://host:port/db?user=..&password=..}). User and password are
 * percent-decoded. {@link #toString()} and every error message leave the password out.
 *
 * @param sslMode null when the URL names none (the driver's default)
 */
public record DatabaseUrl(String host, int port, String database, String user, String password, String sslMode) {

    private static final int DEFAULT_PORT = 5432;
    private static final Set<String> SSL_MODES =
            Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");
    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)([?&]password=)[^&#]*");

    public DatabaseUrl {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 1 and 65535");
        }
    }

    /** Parses a database URL; CONFIGURATION naming the URL (without its password) when malformed. */
    public static DatabaseUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw new PkiException(ErrorKind.CONFIGURATION, "the inventory database URL is empty");
        }
        String rest;
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("postgresql://")) {
            rest = url.substring("postgresql://".length());
        } else if (lower.startsWith("postgres://")) {
            rest = url.substring("postgres://".length());
        } else if (lower.startsWith("jdbc:postgresql://")) {
            rest = url.substring("jdbc:postgresql://".length());
        } else {
            throw malformed(url, "it must start with postgresql://, postgres:// or jdbc:postgresql://");
        }
        if (rest.indexOf('#') >= 0) {
            throw malformed(url, "it must not have a fragment (#)");
        }
        String query = null;
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/', Math.max(0, rest.lastIndexOf('@')));
        String authority = slash >= 0 ? rest.substring(0, slash) : rest;
        String path = slash >= 0 ? rest.substring(slash + 1) : "";

        String user = null;
        String password = null;
        int at = authority.lastIndexOf('@');
        String hostPort = authority;
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            hostPort = authority.substring(at + 1);
            int colon = userInfo.indexOf(':');
            user = decode(url, colon >= 0 ? userInfo.substring(0, colon) : userInfo, "user name");
            password = colon >= 0 ? decode(url, userInfo.substring(colon + 1), "password") : null;
        }

        String host;
        int port = DEFAULT_PORT;
        String portText = null;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw malformed(url, "its IPv6 host has no closing ]");
            }
            host = hostPort.substring(1, close);
            String after = hostPort.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw malformed(url, "unexpected text after the IPv6 host");
                }
                portText = after.substring(1);
            }
        } else {
            int colon = hostPort.indexOf(':');
            host = colon >= 0 ? hostPort.substring(0, colon) : hostPort;
            portText = colon >= 0 ? hostPort.substring(colon + 1) : null;
        }
        if (host.isEmpty()) {
            throw malformed(url, "it names no host");
        }
        if (!host.matches("[A-Za-z0-9._:%-]+")) {
            throw malformed(url, "its host '" + host + "' is not a host name or address");
        }
        if (portText != null) {
            if (!portText.matches("[0-9]{1,5}") || Integer.parseInt(portText) < 1 || Integer.parseInt(portText) > 65_535) {
                throw malformed(url, "its port '" + portText + "' is not a number between 1 and 65535");
            }
            port = Integer.parseInt(portText);
        }

        String database = decode(url, path, "database name");
        if (database.isEmpty()) {
            throw malformed(url, "it names no database (postgresql://user:password@host:port/DATABASE)");
        }
        if (database.contains("/")) {
            throw malformed(url, "its database name contains '/'");
        }

        String sslMode = null;
        if (query != null && !query.isEmpty()) {
            for (String param : query.split("&")) {
                if (param.isEmpty()) {
                    continue;
                }
                int eq = param.indexOf('=');
                String key = eq >= 0 ? param.substring(0, eq) : param;
                String value = decode(url, eq >= 0 ? param.substring(eq + 1) : "", "parameter " + key);
                switch (key) {
                    case "user" -> user = value;
                    case "password" -> password = value;
                    case "sslmode" -> {
                        if (!SSL_MODES.contains(value)) {
                            throw malformed(url, "its sslmode '" + value + "' is not one of " + SSL_MODES);
                        }
                        sslMode = value;
                    }
                    default -> throw malformed(url, "its parameter '" + key
                            + "' is not supported (supported: user, password, sslmode)");
                }
            }
        }
        if (user == null || user.isEmpty()) {
            throw malformed(url, "it names no user (postgresql://USER:password@host:port/db)");
        }
        return new DatabaseUrl(host, port, database, user, password, sslMode);
    }

    /** host:port/db, for messages. */
    public String location() {
        return hostAndPort() + "/" + database;
    }

    private String hostAndPort() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** The JDBC URL without credentials (they go to the driver separately). */
    public String jdbcUrl() {
        String url = "jdbc:postgresql://" + hostAndPort() + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
        return sslMode == null ? url : url + "?sslmode=" + sslMode;
    }

    /** The URL with the password replaced by ***: safe to log. */
    @Override
    public String toString() {
        return "postgresql://" + user + (password == null ? "" : ":***") + "@" + location()
                + (sslMode == null ? "" : "?sslmode=" + sslMode);
    }

    /**
     * Hides the password of a URL that may be malformed, for error messages: everything between
     * the first ':' of the user info and the last '@' (so an unescaped '@' or '/' in a password
     * cannot leak it), and any password= parameter.
     */
    public static String redact(String url) {
        String s = url;
        int scheme = s.indexOf("://");
        int at = s.lastIndexOf('@');
        if (scheme >= 0 && at > scheme) {
            int colon = s.indexOf(':', scheme + 3);
            if (colon >= 0 && colon < at) {
                s = s.substring(0, colon + 1) + "***" + s.substring(at);
            }
        }
        return PASSWORD_PARAM.matcher(s).replaceAll("$1***");
    }

    private static PkiException malformed(String url, String why) {
        return new PkiException(ErrorKind.CONFIGURATION,
                "the inventory database URL '" + redact(url) + "' is malformed: " + why);
    }

    private static String decode(String url, String text, String what) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int i = 0;
        while (i < text.length()) {
            int c = text.codePointAt(i);
            if (c == '%') {
                if (i + 2 >= text.length() || Character.digit(text.charAt(i + 1), 16) < 0
                        || Character.digit(text.charAt(i + 2), 16) < 0) {
                    throw malformed(url, "its " + what + " has a bad percent-escape");
                }
                bytes.write(Character.digit(text.charAt(i + 1), 16) * 16 + Character.digit(text.charAt(i + 2), 16));
                i += 3;
            } else {
                bytes.writeBytes(Character.toString(c).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw malformed(url, "its " + what + " is not UTF-8 after percent-decoding");
        }
    }
}
