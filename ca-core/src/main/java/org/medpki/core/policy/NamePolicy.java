package org.medpki.core.policy;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.GeneralName;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.name.DnsNameSyntax;
import org.medpki.core.profile.IpRange;
import org.medpki.core.profile.SanRules;

/**
 * Checks one subjectAltName against a profile's {@link SanRules} (CP 3.1 / 7.1): the type must be
 * allowed, the syntax right, and the name inside what the profile permits. Deny by default: a
 * name that matches no pattern is rejected with REJECTED_IDENTIFIER naming it.
 */
public final class NamePolicy {
    private static final Pattern LOCAL_PART =
            Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*");

    private NamePolicy() {
    }

    /** Checks the name and returns it normalised (DNS names and mail domains in lower case). */
    public static GeneralName check(GeneralName name, SanRules rules, String profileName) {
        return switch (name.getTagNo()) {
            case GeneralName.dNSName -> new GeneralName(GeneralName.dNSName,
                    new DERIA5String(checkDns(ia5(name), rules, profileName)));
            case GeneralName.iPAddress -> checkIp(name, rules, profileName);
            case GeneralName.rfc822Name -> new GeneralName(GeneralName.rfc822Name,
                    new DERIA5String(checkEmail(ia5(name), rules, profileName)));
            case GeneralName.uniformResourceIdentifier -> new GeneralName(GeneralName.uniformResourceIdentifier,
                    new DERIA5String(checkUri(ia5(name), rules, profileName)));
            default -> throw reject("SAN " + render(name) + ": this name type is not allowed by profile " + profileName);
        };
    }

    private static String checkDns(String raw, SanRules rules, String profileName) {
        if (!rules.allowsDns()) {
            throw reject("DNS name '" + raw + "' is not allowed: profile " + profileName + " takes no DNS names");
        }
        String name = DnsNameSyntax.normalize(raw);
        String syntax = DnsNameSyntax.problem(name, true);
        if (syntax != null) {
            throw reject("DNS name '" + raw + "' is not valid: " + syntax);
        }
        if (name.startsWith("*.") && !rules.dnsWildcards()) {
            throw reject("DNS name '" + raw + "' is a wildcard, which profile " + profileName + " does not allow");
        }
        for (String pattern : rules.dnsPatterns()) {
            boolean ok = pattern.startsWith("*.")
                    ? name.endsWith("." + pattern.substring(2)) // strictly below, on a label boundary
                    : name.equals(pattern);
            if (ok) {
                return name;
            }
        }
        throw reject("DNS name '" + raw + "' is outside what profile " + profileName + " allows ("
                + String.join(", ", rules.dnsPatterns()) + ")");
    }

    private static GeneralName checkIp(GeneralName name, SanRules rules, String profileName) {
        byte[] octets = ASN1OctetString.getInstance(name.getName()).getOctets();
        if (octets.length != 4 && octets.length != 16) {
            throw reject("IP address SAN has " + octets.length + " octets; 4 or 16 expected");
        }
        String text = render(name).substring("ip:".length());
        if (!rules.allowsIp()) {
            throw reject("IP address " + text + " is not allowed: profile " + profileName + " takes no IP addresses");
        }
        for (IpRange r : rules.ipRanges()) {
            if (r.contains(octets)) {
                return new GeneralName(GeneralName.iPAddress, new DEROctetString(octets));
            }
        }
        throw reject("IP address " + text + " is outside the networks profile " + profileName + " allows ("
                + String.join(", ", rules.ipRanges().stream().map(IpRange::toString).toList()) + ")");
    }

    private static String checkEmail(String raw, SanRules rules, String profileName) {
        if (!rules.allowsEmail()) {
            throw reject("email address '" + raw + "' is not allowed: profile " + profileName + " takes no email addresses");
        }
        int at = raw.lastIndexOf('@');
        if (at <= 0 || raw.indexOf('@') != at) {
            throw reject("email address '" + raw + "' is not valid: it needs exactly one '@' after a local part");
        }
        String local = raw.substring(0, at);
        String domain = DnsNameSyntax.normalize(raw.substring(at + 1));
        if (local.length() > 64 || !LOCAL_PART.matcher(local).matches()) {
            throw reject("email address '" + raw + "' is not valid: the local part is not a plain ASCII dot-atom");
        }
        String syntax = DnsNameSyntax.problem(domain, false);
        if (syntax != null) {
            throw reject("email address '" + raw + "' is not valid: its domain " + syntax);
        }
        String address = local + "@" + domain;
        for (String pattern : rules.emailPatterns()) {
            boolean ok = pattern.startsWith("*@")
                    ? domain.equals(DnsNameSyntax.normalize(pattern.substring(2)))
                    : address.equalsIgnoreCase(pattern);
            if (ok) {
                return address;
            }
        }
        throw reject("email address '" + raw + "' is outside what profile " + profileName + " allows ("
                + String.join(", ", rules.emailPatterns()) + ")");
    }

    private static String checkUri(String raw, SanRules rules, String profileName) {
        if (!rules.allowsUri()) {
            throw reject("URI '" + raw + "' is not allowed: profile " + profileName + " takes no URIs");
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw reject("URI '" + raw + "' is not valid: it contains a space, control or non-ASCII character");
            }
        }
        try {
            URI uri = new URI(raw);
            if (!uri.isAbsolute()) {
                throw reject("URI '" + raw + "' is not valid: it is not absolute");
            }
            if (uri.getRawUserInfo() != null) {
                throw reject("URI '" + raw + "' is not valid: it carries user information");
            }
        } catch (URISyntaxException e) {
            throw reject("URI '" + raw + "' is not valid: " + e.getReason());
        }
        for (String prefix : rules.uriPrefixes()) {
            if (raw.startsWith(prefix) && raw.length() > prefix.length()) {
                return raw;
            }
        }
        throw reject("URI '" + raw + "' is outside what profile " + profileName + " allows ("
                + String.join(", ", rules.uriPrefixes()) + ")");
    }

    /** "dns:x", "ip:10.0.0.1", "email:a@b", "uri:urn:...", or "type N" for others. */
    public static String render(GeneralName name) {
        return switch (name.getTagNo()) {
            case GeneralName.dNSName -> "dns:" + ia5(name);
            case GeneralName.rfc822Name -> "email:" + ia5(name);
            case GeneralName.uniformResourceIdentifier -> "uri:" + ia5(name);
            case GeneralName.iPAddress -> {
                byte[] o = ASN1OctetString.getInstance(name.getName()).getOctets();
                try {
                    yield "ip:" + (o.length == 4 || o.length == 16 ? InetAddress.getByAddress(o).getHostAddress()
                            : org.bouncycastle.util.encoders.Hex.toHexString(o));
                } catch (UnknownHostException e) {
                    yield "ip:?";
                }
            }
            case GeneralName.otherName -> "otherName";
            case GeneralName.directoryName -> "dirName:" + name.getName();
            case GeneralName.registeredID -> "registeredID:" + name.getName();
            default -> "type " + name.getTagNo();
        };
    }

    /** The textual value of a DNS or IP name, lower case, for comparing with a CN. */
    static String comparable(GeneralName name) {
        String r = render(name);
        return r.substring(r.indexOf(':') + 1).toLowerCase(Locale.ROOT);
    }

    private static String ia5(GeneralName name) {
        return ASN1IA5String.getInstance(name.getName()).getString();
    }

    private static PkiException reject(String reason) {
        return new PkiException(ErrorKind.REJECTED_IDENTIFIER, reason);
    }
}
