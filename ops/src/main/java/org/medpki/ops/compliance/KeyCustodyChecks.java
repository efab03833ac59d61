package org.medpki.ops.compliance;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.keys.KeyProtection;
import org.medpki.core.keys.SigningKeys;
import org.medpki.core.keys.TokenDescription;

/**
 * 164.312(a): the PKI's private keys as the token reports them (CPS 6.2). Every key of a CA
 * certificate that is still valid must be a private token object that is sensitive, was always
 * sensitive, is not extractable and never was.
 */
final class KeyCustodyChecks {
    private final SigningKeys keys;
    private final Hierarchy hierarchy;

    KeyCustodyChecks(SigningKeys keys, Hierarchy hierarchy) {
        this.keys = keys;
        this.hierarchy = hierarchy;
    }

    ComplianceCheck caKeysProtected(Instant now) {
        TokenDescription token = keys.token();
        List<String> details = new ArrayList<>();
        details.add("token '" + token.label() + "' (" + token.manufacturer() + " " + token.model() + ", serial "
                + token.serialNumber() + ") via " + token.module());
        List<Map<String, Object>> data = new ArrayList<>();
        int checked = 0;
        int bad = 0;
        for (CaCertificate ca : hierarchy.all()) {
            Map<String, Object> k = new LinkedHashMap<>();
            k.put("ca", ca.name());
            k.put("role", ca.record().role().wireName());
            k.put("keyLabel", ca.keyLabel());
            if (ca.record().notAfter() != null && ca.record().notAfter().isBefore(now)) {
                k.put("checked", false);
                details.add(ca.name() + ": certificate expired " + ca.record().notAfter() + "; key not checked");
                data.add(k);
                continue;
            }
            checked++;
            try {
                KeyProtection p = keys.protection(ca.keyLabel());
                k.put("token", p.token());
                k.put("private", p.privateObject());
                k.put("sensitive", p.sensitive());
                k.put("alwaysSensitive", p.alwaysSensitive());
                k.put("extractable", p.extractable());
                k.put("neverExtractable", p.neverExtractable());
                k.put("hardwareProtected", p.isHardwareProtected());
                if (!p.isHardwareProtected()) {
                    bad++;
                }
                details.add(String.format("%s %s (%s): CKA_TOKEN=%s CKA_PRIVATE=%s CKA_SENSITIVE=%s "
                                + "CKA_ALWAYS_SENSITIVE=%s CKA_EXTRACTABLE=%s CKA_NEVER_EXTRACTABLE=%s%s",
                        p.isHardwareProtected() ? "ok" : "NOT PROTECTED", ca.name(), ca.keyLabel(), p.token(),
                        p.privateObject(), p.sensitive(), p.alwaysSensitive(), p.extractable(), p.neverExtractable(),
                        ""));
            } catch (PkiException e) {
                bad++;
                k.put("error", e.publicDetail());
                details.add("NOT PROTECTED " + ca.name() + " (" + ca.keyLabel() + "): " + e.publicDetail());
            }
            data.add(k);
        }
        CheckStatus status = bad == 0 && checked > 0 ? CheckStatus.PASS : CheckStatus.FAIL;
        String summary = bad == 0
                ? checked + " CA keys read from the token: all sensitive and never extractable"
                : bad + " of " + checked + " CA keys are not hardware-protected or not in the token";
        return new ComplianceCheck("ca-keys-protected", Safeguard.ACCESS_CONTROL, status, summary, details,
                Map.of("token", Map.of("label", token.label(), "manufacturer", token.manufacturer(),
                        "model", token.model(), "serial", token.serialNumber()), "keys", data));
    }
}
