package org.medpki.ops.cli;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.medpki.core.inventory.CertificateRecord;

/** The JSON shape of a certificate in 'show --json' and 'list --json'. */
final class CertificateJson {
    private CertificateJson() {
    }

    static Map<String, Object> of(CertificateRecord r, String issuer, boolean withDer) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("serial", r.serialHex());
        m.put("issuer", issuer);
        m.put("profile", r.profile());
        m.put("subject", r.subject());
        m.put("sans", r.sans());
        m.put("notBefore", r.notBefore().toString());
        m.put("notAfter", r.notAfter().toString());
        m.put("status", r.status().name().toLowerCase(Locale.ROOT));
        m.put("revokedAt", r.revokedAt() == null ? null : r.revokedAt().toString());
        m.put("reason", r.reason() == null ? null : r.reason().rfcName());
        m.put("requester", r.requester());
        if (withDer && r.der() != null) {
            m.put("der", Base64.getEncoder().encodeToString(r.der()));
        }
        return m;
    }
}
