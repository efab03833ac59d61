package org.medpki.ops.compliance;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.keys.KeyProtection;
import org.medpki.core.keys.SigningKeys;
import org.medpki.core.keys.TokenDescription;

/**
 * 164.312(a): the PKI's private keys as the tokens report them (CPS 6.2). Every key of a CA
 * certificate that is still valid must be a private token object that is sensitive, was always
 * sensitive, is not extractable and never was - in the CA token, or for OCSP signers in the OCSP
 * token. And the tokens keep their keys apart: no CA key (root, issuing, audit signer) in the OCSP
 * token, whose PIN an OCSP host holds, and every current OCSP signer's key in the OCSP token.
 */
final class KeyCustodyChecks {
    private final SigningKeys keys;
    private final SigningKeys ocspKeys;
    private final Hierarchy hierarchy;

    private final Set<String> destroyed;

    /** {@code keys}: the CA token; {@code ocspKeys}: the OCSP signers' token. */
    KeyCustodyChecks(SigningKeys keys, SigningKeys ocspKeys, Hierarchy hierarchy) {
        this(keys, ocspKeys, hierarchy, Set.of());
    }

    /** {@code destroyed}: labels of keys destroyed by key retirement, which are not looked for (see retired-keys). */
    KeyCustodyChecks(SigningKeys keys, SigningKeys ocspKeys, Hierarchy hierarchy, Set<String> destroyed) {
        this.keys = keys;
        this.ocspKeys = ocspKeys;
        this.hierarchy = hierarchy;
        this.destroyed = Set.copyOf(destroyed);
    }

    ComplianceCheck caKeysProtected(Instant now) {
        TokenDescription token = keys.token();
        TokenDescription ocspToken = ocspKeys.token();
        List<String> details = new ArrayList<>();
        details.add("CA token " + describe(token));
        details.add("OCSP token " + describe(ocspToken));
        Set<String> inOcspToken = new TreeSet<>(ocspKeys.labels());
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
            if (destroyed.contains(ca.keyLabel())) {
                k.put("checked", false);
                k.put("destroyed", true);
                details.add(ca.name() + ": key " + ca.keyLabel() + " destroyed (key retirement, see retired-keys); "
                        + "not checked");
                data.add(k);
                continue;
            }
            checked++;
            // An OCSP signer's key is read in the OCSP token; one made before that token existed, in the CA token.
            SigningKeys holder = ca.record().role() == CaRole.OCSP_SIGNER && inOcspToken.contains(ca.keyLabel())
                    ? ocspKeys : keys;
            String holderLabel = holder == ocspKeys ? ocspToken.label() : token.label();
            k.put("tokenLabel", holderLabel);
            try {
                KeyProtection p = holder.protection(ca.keyLabel());
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
                details.add(String.format("%s %s (%s in token '%s'): CKA_TOKEN=%s CKA_PRIVATE=%s CKA_SENSITIVE=%s "
                                + "CKA_ALWAYS_SENSITIVE=%s CKA_EXTRACTABLE=%s CKA_NEVER_EXTRACTABLE=%s",
                        p.isHardwareProtected() ? "ok" : "NOT PROTECTED", ca.name(), ca.keyLabel(), holderLabel,
                        p.token(), p.privateObject(), p.sensitive(), p.alwaysSensitive(), p.extractable(),
                        p.neverExtractable()));
            } catch (PkiException e) {
                bad++;
                k.put("error", e.publicDetail());
                details.add("NOT PROTECTED " + ca.name() + " (" + ca.keyLabel() + "): " + e.publicDetail());
            }
            data.add(k);
        }
        CheckStatus status = bad == 0 && checked > 0 ? CheckStatus.PASS : CheckStatus.FAIL;
        String summary = bad == 0
                ? checked + " CA keys read from the tokens '" + token.label() + "' and '" + ocspToken.label()
                        + "': all sensitive and never extractable"
                : bad + " of " + checked + " CA keys are not hardware-protected or not in their token";
        return new ComplianceCheck("ca-keys-protected", Safeguard.ACCESS_CONTROL, status, summary, details,
                Map.of("token", tokenData(token), "ocspToken", tokenData(ocspToken), "keys", data));
    }

    /**
     * No CA key (root, issuing, audit signer) in the OCSP token, every current OCSP signer's key in
     * it, and the two tokens really two.
     */
    ComplianceCheck keysInTheirTokens(Instant now) {
        TokenDescription token = keys.token();
        TokenDescription ocspToken = ocspKeys.token();
        Set<String> inOcspToken = new TreeSet<>(ocspKeys.labels());
        Set<String> inCaToken = new TreeSet<>(keys.labels());
        List<String> details = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        details.add("CA token " + describe(token));
        details.add("OCSP token " + describe(ocspToken));
        boolean sameToken = token.label().equals(ocspToken.label()) && token.serialNumber().equals(ocspToken.serialNumber())
                && token.module().equals(ocspToken.module());
        if (sameToken) {
            problems.add("the CA token and the OCSP token are the same token '" + token.label() + "'");
        }
        List<Map<String, Object>> data = new ArrayList<>();
        for (CaCertificate ca : hierarchy.all()) {
            CaRole role = ca.record().role();
            if (role == CaRole.OCSP_SIGNER) {
                continue;
            }
            boolean misplaced = inOcspToken.contains(ca.keyLabel());
            data.add(Map.of("ca", ca.name(), "role", role.wireName(), "keyLabel", ca.keyLabel(),
                    "inOcspToken", misplaced));
            if (misplaced) {
                problems.add(ca.name() + " (" + role.wireName() + ", key " + ca.keyLabel() + ") has its key in the OCSP "
                        + "token '" + ocspToken.label() + "'");
            } else {
                details.add("ok " + ca.name() + " (" + ca.keyLabel() + ") not in the OCSP token '" + ocspToken.label() + "'");
            }
        }
        for (CaCertificate issuing : hierarchy.withRole(CaRole.ISSUING)) {
            if (issuing.record().notAfter() != null && !issuing.record().notAfter().isAfter(now)) {
                continue;
            }
            var signer = hierarchy.ocspSignerOf(issuing);
            if (signer.isEmpty()) {
                continue;
            }
            CaCertificate s = signer.get();
            boolean there = inOcspToken.contains(s.keyLabel());
            data.add(Map.of("ca", s.name(), "role", s.record().role().wireName(), "keyLabel", s.keyLabel(),
                    "inOcspToken", there, "inCaToken", inCaToken.contains(s.keyLabel())));
            if (there && (sameToken || !inCaToken.contains(s.keyLabel()))) {
                details.add("ok " + s.name() + " (current OCSP signer of " + issuing.name() + ", " + s.keyLabel()
                        + ") in the OCSP token '" + ocspToken.label() + "'");
            } else {
                problems.add(s.name() + " (current OCSP signer of " + issuing.name() + ", key " + s.keyLabel() + ") is "
                        + (inCaToken.contains(s.keyLabel()) ? "in the CA token '" + token.label() + "'" : "not in the "
                        + "OCSP token '" + ocspToken.label() + "'") + ": run 'pki ocsp rotate'");
            }
        }
        problems.forEach(p -> details.add("FAIL " + p));
        String summary = problems.isEmpty()
                ? "no CA key in the OCSP token '" + ocspToken.label() + "'; the current OCSP signers' keys are there, "
                        + "none in the CA token '" + token.label() + "'"
                : problems.size() + " key(s) in the wrong token: " + problems.getFirst();
        return new ComplianceCheck("keys-in-their-tokens", Safeguard.ACCESS_CONTROL,
                problems.isEmpty() ? CheckStatus.PASS : CheckStatus.FAIL, summary, details,
                Map.of("token", tokenData(token), "ocspToken", tokenData(ocspToken), "keys", data));
    }

    private static String describe(TokenDescription t) {
        return "'" + t.label() + "' (" + t.manufacturer() + " " + t.model() + ", serial " + t.serialNumber() + ") via "
                + t.module();
    }

    private static Map<String, Object> tokenData(TokenDescription t) {
        return Map.of("label", t.label(), "manufacturer", t.manufacturer(), "model", t.model(),
                "serial", t.serialNumber());
    }
}
