package org.medpki.acme;

import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Objects;
import org.bouncycastle.asn1.x509.GeneralName;
import org.medpki.core.name.DnsNameSyntax;

/**
 * An ACME identifier: {@code dns} (RFC 8555) or {@code ip} (RFC 8738). DNS names are kept in lower
 * case; a wildcard keeps its "*." prefix here (the authorization strips it).
 */
public record Identifier(String type, String value) {
    public Identifier {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
    }

    /** Parses and checks a client's identifier object; malformed or unsupported ones are refused. */
    public static Identifier parse(JsonObject json) {
        if (json == null || !(json.getValue("type") instanceof String type) || !(json.getValue("value") instanceof String value)) {
            throw new AcmeException(ProblemType.MALFORMED, "an identifier needs a string type and value");
        }
        return switch (type) {
            case "dns" -> {
                String name = DnsNameSyntax.normalize(value);
                String problem = DnsNameSyntax.problem(name, true);
                if (problem != null) {
                    throw new AcmeException(ProblemType.REJECTED_IDENTIFIER, "DNS name '" + value + "' is not valid: "
                            + problem, new Identifier("dns", value), java.util.List.of(), null);
                }
                yield new Identifier("dns", name);
            }
            case "ip" -> new Identifier("ip", canonicalIp(value));
            default -> throw new AcmeException(ProblemType.UNSUPPORTED_IDENTIFIER,
                    "identifier type '" + type + "' is not supported (dns and ip are)");
        };
    }

    private static String canonicalIp(String value) {
        if (!value.matches("[0-9a-fA-F:.]+") || value.isEmpty()) {
            throw new AcmeException(ProblemType.MALFORMED, "'" + value + "' is not an IP address");
        }
        try {
            return InetAddress.getByName(value).getHostAddress().toLowerCase(Locale.ROOT);
        } catch (UnknownHostException e) {
            throw new AcmeException(ProblemType.MALFORMED, "'" + value + "' is not an IP address");
        }
    }

    public boolean wildcard() {
        return type.equals("dns") && value.startsWith("*.");
    }

    /** The name validated for this identifier: the wildcard's base domain. */
    public String base() {
        return wildcard() ? value.substring(2) : value;
    }

    public GeneralName generalName() {
        return new GeneralName(type.equals("dns") ? GeneralName.dNSName : GeneralName.iPAddress, value);
    }

    public JsonObject json() {
        return new JsonObject().put("type", type).put("value", value);
    }
}
