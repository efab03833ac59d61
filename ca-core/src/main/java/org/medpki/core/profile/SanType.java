package org.medpki.core.profile;

import java.util.Locale;

/** The subjectAltName name forms (RFC 5280 4.2.1.6) a profile may allow, by the CP's names. */
public enum SanType {
    DNS("dns"), IP("ip"), EMAIL("email"), URI("uri");

    private final String yamlName;

    SanType(String yamlName) {
        this.yamlName = yamlName;
    }

    public String yamlName() {
        return yamlName;
    }

    public static SanType parse(String name) {
        for (SanType t : values()) {
            if (t.yamlName.equals(name.trim().toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown SAN type '" + name + "' (known: dns, ip, email, uri)");
    }

    /** Whether the profile's SAN rules let a certificate carry a name of this form. */
    public boolean allowedBy(SanRules rules) {
        return switch (this) {
            case DNS -> rules.allowsDns();
            case IP -> rules.allowsIp();
            case EMAIL -> rules.allowsEmail();
            case URI -> rules.allowsUri();
        };
    }

    /** The form of a subjectAltName (RFC 5280 GeneralName tag), or null for forms profiles never allow. */
    public static SanType of(org.bouncycastle.asn1.x509.GeneralName name) {
        return switch (name.getTagNo()) {
            case org.bouncycastle.asn1.x509.GeneralName.dNSName -> DNS;
            case org.bouncycastle.asn1.x509.GeneralName.iPAddress -> IP;
            case org.bouncycastle.asn1.x509.GeneralName.rfc822Name -> EMAIL;
            case org.bouncycastle.asn1.x509.GeneralName.uniformResourceIdentifier -> URI;
            default -> null;
        };
    }

    @Override
    public String toString() {
        return yamlName;
    }
}
