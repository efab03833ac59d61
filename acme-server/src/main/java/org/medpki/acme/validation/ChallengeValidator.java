package org.medpki.acme.validation;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import org.medpki.acme.AcmeConfig;
import org.medpki.acme.AcmeException;
import org.medpki.acme.AddressRange;
import org.medpki.acme.Identifier;
import org.medpki.acme.ProblemType;

/**
 * Validates a challenge against the applicant (RFC 8555 section 8, RFC 8737, RFC 8738): CAA first
 * for DNS names, then the challenge type's check. Blocks (network); run it on a virtual thread.
 * Throws an {@link AcmeException} (dns, connection, incorrectResponse, caa, tls) when it fails.
 */
public final class ChallengeValidator {
    private final AcmeConfig config;
    private final Resolver resolver;
    private final CaaCheck caa;
    private final Http01Validation http01;
    private final Dns01Validation dns01;
    private final TlsAlpn01Validation tlsAlpn01;

    public ChallengeValidator(AcmeConfig config) {
        this.config = config;
        this.resolver = new Resolver(config);
        this.caa = new CaaCheck(resolver, config.caaIdentities());
        this.http01 = new Http01Validation(this, config);
        this.dns01 = new Dns01Validation(resolver);
        this.tlsAlpn01 = new TlsAlpn01Validation(this, config);
    }

    /** {@code identifier} is the authorization's (a wildcard's base name with {@code wildcard}). */
    public void validate(String type, Identifier identifier, boolean wildcard, String token, String keyAuthorization) {
        if (identifier.type().equals("dns")) {
            caa.check(identifier, wildcard);
        }
        switch (type) {
            case "http-01" -> http01.validate(identifier, token, keyAuthorization);
            case "dns-01" -> dns01.validate(identifier, keyAuthorization);
            case "tls-alpn-01" -> tlsAlpn01.validate(identifier, keyAuthorization);
            default -> throw new AcmeException(ProblemType.MALFORMED, "unknown challenge type " + type);
        }
    }

    /** The addresses to connect to for the identifier, with denied ranges removed (none left: refused). */
    List<InetAddress> targets(Identifier identifier) {
        List<InetAddress> all;
        if (identifier.type().equals("ip")) {
            try {
                all = List.of(InetAddress.getByName(identifier.value()));
            } catch (UnknownHostException e) {
                throw new AcmeException(ProblemType.MALFORMED, "not an IP address: " + identifier.value());
            }
        } else {
            try {
                all = resolver.resolve(identifier.value());
            } catch (DnsClient.DnsFailure e) {
                throw problem(ProblemType.DNS, e.getMessage(), identifier);
            }
        }
        List<InetAddress> allowed = all.stream().filter(a -> !denied(a)).toList();
        if (allowed.isEmpty()) {
            throw problem(ProblemType.CONNECTION, identifier.value() + " resolves only to addresses the validator "
                    + "may not connect to (" + all.getFirst().getHostAddress() + " is in a denied range)", identifier);
        }
        return allowed;
    }

    boolean denied(InetAddress address) {
        for (AddressRange r : config.deniedRanges()) {
            if (r.contains(address)) {
                return true;
            }
        }
        return false;
    }

    static AcmeException problem(ProblemType type, String detail, Identifier identifier) {
        return new AcmeException(type, detail, identifier, List.of(), null);
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
