package org.medpki.core.profile;

import java.util.Arrays;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.KeyPurposeId;

/**
 * Extended key usage purposes (RFC 5280 4.2.1.12) by the names profiles use. The two SDC purposes
 * are those of IEEE 11073-20701 (service-oriented device connectivity): a participant that provides
 * services, and one that consumes them; they go beside serverAuth/clientAuth, not instead.
 */
public enum KeyPurpose {
    SERVER_AUTH("serverAuth", KeyPurposeId.id_kp_serverAuth),
    CLIENT_AUTH("clientAuth", KeyPurposeId.id_kp_clientAuth),
    CODE_SIGNING("codeSigning", KeyPurposeId.id_kp_codeSigning),
    EMAIL_PROTECTION("emailProtection", KeyPurposeId.id_kp_emailProtection),
    TIME_STAMPING("timeStamping", KeyPurposeId.id_kp_timeStamping),
    OCSP_SIGNING("OCSPSigning", KeyPurposeId.id_kp_OCSPSigning),
    SDC_SERVICE_PROVIDER("sdcServiceProvider", KeyPurposeId.getInstance(new ASN1ObjectIdentifier("1.2.840.10004.20701.1.1"))),
    SDC_SERVICE_CONSUMER("sdcServiceConsumer", KeyPurposeId.getInstance(new ASN1ObjectIdentifier("1.2.840.10004.20701.1.2"))),
    /** id-kp-cmcRA (RFC 6402): a registration authority, such as the SCEP service's. */
    CMC_RA("cmcRA", KeyPurposeId.getInstance(new ASN1ObjectIdentifier("1.3.6.1.5.5.7.3.28")));

    private final String yamlName;
    private final KeyPurposeId id;

    KeyPurpose(String yamlName, KeyPurposeId id) {
        this.yamlName = yamlName;
        this.id = id;
    }

    public String yamlName() {
        return yamlName;
    }

    public KeyPurposeId id() {
        return id;
    }

    public ASN1ObjectIdentifier oid() {
        return id.toOID();
    }

    public static KeyPurpose parse(String name) {
        for (KeyPurpose p : values()) {
            if (p.yamlName.equalsIgnoreCase(name.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown extended key usage '" + name + "' (known: "
                + String.join(", ", Arrays.stream(values()).map(KeyPurpose::yamlName).toList()) + ")");
    }

    /** The purpose with this OID, or null when the OID is not one the profiles know. */
    public static KeyPurpose ofOid(ASN1ObjectIdentifier oid) {
        for (KeyPurpose p : values()) {
            if (p.oid().equals(oid)) {
                return p;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return yamlName;
    }
}
