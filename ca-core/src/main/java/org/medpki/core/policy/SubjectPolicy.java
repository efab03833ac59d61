package org.medpki.core.policy;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1PrintableString;
import org.bouncycastle.asn1.ASN1UTF8String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.GeneralName;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.profile.CommonNameRule;
import org.medpki.core.profile.SubjectAttribute;
import org.medpki.core.profile.SubjectRules;

/**
 * Checks a subject DN against a profile's {@link SubjectRules}: single-valued RDNs, only allowed
 * attributes, each at most once, as UTF8String or PrintableString within RFC 5280's length
 * bounds, every required attribute present, and the CN rule (for tls-server: the CN, when present,
 * is one of the DNS/IP SANs).
 */
public final class SubjectPolicy {
    private SubjectPolicy() {
    }

    public static void check(X500Name subject, SubjectRules rules, List<GeneralName> sans, String profileName) {
        Set<SubjectAttribute> seen = EnumSet.noneOf(SubjectAttribute.class);
        String cn = null;
        for (RDN rdn : subject.getRDNs()) {
            if (rdn.isMultiValued()) {
                throw bad("the subject has a multi-valued RDN; each attribute must be its own RDN");
            }
            AttributeTypeAndValue atv = rdn.getFirst();
            SubjectAttribute attr = SubjectAttribute.ofOid(atv.getType());
            if (attr == null || !rules.allows(attr)) {
                String label = BCStyle.INSTANCE.oidToDisplayName(atv.getType());
                throw bad("subject attribute " + (label == null ? atv.getType().getId() : label)
                        + " is not allowed by profile " + profileName);
            }
            if (!seen.add(attr)) {
                throw bad("subject attribute " + attr + " appears more than once");
            }
            String value = stringValue(atv.getValue(), attr);
            if (attr == SubjectAttribute.CN) {
                cn = value;
            }
        }
        for (SubjectAttribute a : SubjectAttribute.values()) {
            if (rules.requires(a) && !seen.contains(a)) {
                throw bad("the subject must contain " + a + " (profile " + profileName + ")");
            }
        }
        if (cn != null && rules.commonName() == CommonNameRule.SAN) {
            String want = cn.toLowerCase(Locale.ROOT);
            boolean found = sans.stream()
                    .filter(n -> n.getTagNo() == GeneralName.dNSName || n.getTagNo() == GeneralName.iPAddress)
                    .anyMatch(n -> NamePolicy.comparable(n).equals(want));
            if (!found) {
                throw new PkiException(ErrorKind.REJECTED_IDENTIFIER, "the subject CN '" + cn
                        + "' is not one of the certificate's DNS or IP names (profile " + profileName + ")");
            }
        }
    }

    private static String stringValue(ASN1Encodable value, SubjectAttribute attr) {
        boolean printableOnly = attr == SubjectAttribute.C || attr == SubjectAttribute.SERIAL_NUMBER;
        boolean typeOk = value instanceof ASN1PrintableString || (!printableOnly && value instanceof ASN1UTF8String);
        if (!typeOk) {
            throw bad("subject attribute " + attr + " must be a " + (printableOnly ? "PrintableString" : "UTF8String or PrintableString"));
        }
        String s = ((ASN1String) value).getString();
        int length = s.codePointCount(0, s.length());
        if (length == 0 || length > attr.maxLength()) {
            throw bad("subject attribute " + attr + " must have 1 to " + attr.maxLength() + " characters, not " + length);
        }
        if (s.codePoints().anyMatch(c -> Character.isISOControl(c) || c == 0xFFFD)) {
            throw bad("subject attribute " + attr + " contains a control character");
        }
        if (!s.strip().equals(s)) {
            throw bad("subject attribute " + attr + " has leading or trailing white space");
        }
        if (attr == SubjectAttribute.C && !s.matches("[A-Z]{2}")) {
            throw bad("subject attribute C must be a two-letter upper-case ISO 3166 code, not '" + s + "'");
        }
        return s;
    }

    private static PkiException bad(String reason) {
        return new PkiException(ErrorKind.BAD_CSR, reason);
    }
}
