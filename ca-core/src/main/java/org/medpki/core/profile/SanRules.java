package org.medpki.core.profile;

import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.medpki.core.name.DnsNameSyntax;

/**
 * Which subjectAltNames a profile accepts; an empty list means that name type is not allowed.
 * <ul>
 * <li>{@code dnsPatterns}: "example.org" allows exactly that name, "*.example.org" any name below
 * it (at any depth, matched on label boundaries); wildcard names ("*.x.example.org") only when
 * {@code dnsWildcards}.</li>
 * <li>{@code ipRanges}: IP addresses inside one of these networks.</li>
 * <li>{@code emailPatterns}: "*@example.org" any mailbox at that domain, or one exact address.</li>
 * <li>{@code uriPrefixes}: URIs that start with one of these.</li>
 * </ul>
 * {@code minimum} is how many names a request must carry; {@code required} the name forms of which
 * it must carry at least one each (a UDAP client is known by its URI, so its certificate must
 * name one).
 */
public record SanRules(int minimum, List<String> dnsPatterns, boolean dnsWildcards, List<IpRange> ipRanges,
                       List<String> emailPatterns, List<String> uriPrefixes, Set<SanType> required) {
    /** With no name form required. */
    public SanRules(int minimum, List<String> dnsPatterns, boolean dnsWildcards, List<IpRange> ipRanges,
                    List<String> emailPatterns, List<String> uriPrefixes) {
        this(minimum, dnsPatterns, dnsWildcards, ipRanges, emailPatterns, uriPrefixes, Set.of());
    }

    public SanRules {
        dnsPatterns = List.copyOf(Objects.requireNonNull(dnsPatterns, "dnsPatterns"));
        ipRanges = List.copyOf(Objects.requireNonNull(ipRanges, "ipRanges"));
        emailPatterns = List.copyOf(Objects.requireNonNull(emailPatterns, "emailPatterns"));
        uriPrefixes = List.copyOf(Objects.requireNonNull(uriPrefixes, "uriPrefixes"));
        required = Set.copyOf(Objects.requireNonNull(required, "required"));
        if (minimum < 0) {
            throw new IllegalArgumentException("minimum must not be negative");
        }
        if (minimum > 0 && dnsPatterns.isEmpty() && ipRanges.isEmpty() && emailPatterns.isEmpty() && uriPrefixes.isEmpty()) {
            throw new IllegalArgumentException("minimum is " + minimum + " but no name type is allowed");
        }
        if (required.size() > minimum) {
            throw new IllegalArgumentException("required names " + required + " need minimum >= " + required.size());
        }
        if (dnsWildcards && dnsPatterns.isEmpty()) {
            throw new IllegalArgumentException("dnsWildcards is true but no DNS pattern is given");
        }
        for (String p : dnsPatterns) {
            String base = p.startsWith("*.") ? p.substring(2) : p;
            String problem = DnsNameSyntax.problem(base, false);
            if (problem != null) {
                throw new IllegalArgumentException("DNS pattern '" + p + "' is not valid: " + problem);
            }
        }
        for (String p : emailPatterns) {
            int at = p.lastIndexOf('@');
            String problem = at <= 0 ? "it has no local part and '@'" : DnsNameSyntax.problem(p.substring(at + 1), false);
            if (problem != null) {
                throw new IllegalArgumentException("email pattern '" + p + "' is not valid: " + problem);
            }
        }
        for (String p : uriPrefixes) {
            if (!p.matches("[a-z][a-z0-9+.-]*:[\\x21-\\x7e]*")) {
                throw new IllegalArgumentException("URI prefix '" + p + "' must start with a lower-case scheme and a colon");
            }
            int authority = p.indexOf("://");
            if (authority >= 0 && p.indexOf('/', authority + 3) < 0) {
                // Without the slash, "https://devices.example.org" would admit "https://devices.example.org.evil/".
                throw new IllegalArgumentException("URI prefix '" + p + "' must end its host with '/'");
            }
        }
    }

    public boolean allowsDns() {
        return !dnsPatterns.isEmpty();
    }

    public boolean allowsIp() {
        return !ipRanges.isEmpty();
    }

    public boolean allowsEmail() {
        return !emailPatterns.isEmpty();
    }

    public boolean allowsUri() {
        return !uriPrefixes.isEmpty();
    }

    /** The required name forms that {@code names} lacks (empty when it has one of each). */
    public Set<SanType> missingRequired(Collection<SanType> names) {
        Set<SanType> missing = EnumSet.noneOf(SanType.class);
        missing.addAll(required);
        missing.removeAll(names);
        return missing;
    }

    public boolean allowsAny() {
        return allowsDns() || allowsIp() || allowsEmail() || allowsUri();
    }
}
