package org.medpki.core.profile;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;

/** The named curves end-entity keys may use (explicit curve parameters are never accepted). */
public enum EcCurve {
    P256("P-256", SECObjectIdentifiers.secp256r1),
    P384("P-384", SECObjectIdentifiers.secp384r1);

    private final String yamlName;
    private final ASN1ObjectIdentifier oid;

    EcCurve(String yamlName, ASN1ObjectIdentifier oid) {
        this.yamlName = yamlName;
        this.oid = oid;
    }

    public String yamlName() {
        return yamlName;
    }

    public ASN1ObjectIdentifier oid() {
        return oid;
    }

    public static EcCurve parse(String name) {
        for (EcCurve c : values()) {
            if (c.yamlName.equalsIgnoreCase(name.trim())) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown EC curve '" + name + "' (known: P-256, P-384)");
    }

    /** The curve with this OID, or null. */
    public static EcCurve ofOid(ASN1ObjectIdentifier oid) {
        for (EcCurve c : values()) {
            if (c.oid.equals(oid)) {
                return c;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return yamlName;
    }
}
