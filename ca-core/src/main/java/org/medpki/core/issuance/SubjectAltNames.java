package org.medpki.core.issuance;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x509.GeneralName;

/** Subject alternative names as the inventory stores and the CLI shows them: {@code dns:host}. */
public final class SubjectAltNames {
    private SubjectAltNames() {
    }

    public static List<String> asText(List<GeneralName> names) {
        return names.stream().map(SubjectAltNames::asText).toList();
    }

    public static String asText(GeneralName name) {
        return switch (name.getTagNo()) {
            case GeneralName.dNSName -> "dns:" + ((ASN1String) name.getName()).getString();
            case GeneralName.rfc822Name -> "email:" + ((ASN1String) name.getName()).getString();
            case GeneralName.uniformResourceIdentifier -> "uri:" + ((ASN1String) name.getName()).getString();
            case GeneralName.iPAddress -> "ip:" + ipText(ASN1OctetString.getInstance(name.getName()).getOctets());
            default -> "other:" + name.getTagNo();
        };
    }

    private static String ipText(byte[] octets) {
        try {
            return InetAddress.getByAddress(octets).getHostAddress();
        } catch (UnknownHostException e) {
            return "invalid";
        }
    }
}
