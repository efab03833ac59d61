package org.medpki.core.profile;

import java.util.Arrays;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.style.BCStyle;

/** Subject DN attributes a profile may allow, with their RFC 5280 upper bounds. */
public enum SubjectAttribute {
    CN("CN", BCStyle.CN, 64),
    O("O", BCStyle.O, 64),
    OU("OU", BCStyle.OU, 64),
    C("C", BCStyle.C, 2),
    L("L", BCStyle.L, 128),
    ST("ST", BCStyle.ST, 128),
    SERIAL_NUMBER("serialNumber", BCStyle.SERIALNUMBER, 64);

    private final String yamlName;
    private final ASN1ObjectIdentifier oid;
    private final int maxLength;

    SubjectAttribute(String yamlName, ASN1ObjectIdentifier oid, int maxLength) {
        this.yamlName = yamlName;
        this.oid = oid;
        this.maxLength = maxLength;
    }

    public String yamlName() {
        return yamlName;
    }

    public ASN1ObjectIdentifier oid() {
        return oid;
    }

    public int maxLength() {
        return maxLength;
    }

    public static SubjectAttribute parse(String name) {
        for (SubjectAttribute a : values()) {
            if (a.yamlName.equalsIgnoreCase(name.trim())) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown subject attribute '" + name + "' (known: "
                + String.join(", ", Arrays.stream(values()).map(SubjectAttribute::yamlName).toList()) + ")");
    }

    /** The attribute with this OID, or null when profiles do not know it. */
    public static SubjectAttribute ofOid(ASN1ObjectIdentifier oid) {
        for (SubjectAttribute a : values()) {
            if (a.oid.equals(oid)) {
                return a;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return yamlName;
    }
}
