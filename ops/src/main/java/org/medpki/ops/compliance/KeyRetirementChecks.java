package org.medpki.ops.compliance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.medpki.core.keys.SigningKeys;
import org.medpki.core.retirement.KeyDestruction;
import org.medpki.core.retirement.KeyDestructions;

/**
 * 164.312(b): the PKI's retired keys and their destruction records (CPS 6.2.10): each record (the
 * key's SHA-256, label and token, the grounds, the final CRL, who asked, who approved, the token's
 * answer), and each key looked for again in its token, where it must be absent.
 */
final class KeyRetirementChecks {
    private final KeyDestructions records;
    private final SigningKeys keys;
    private final SigningKeys ocspKeys;

    KeyRetirementChecks(KeyDestructions records, SigningKeys keys, SigningKeys ocspKeys) {
        this.records = records;
        this.keys = keys;
        this.ocspKeys = ocspKeys;
    }

    ComplianceCheck retiredKeys() {
        List<String> details = new ArrayList<>();
        List<Map<String, Object>> data = new ArrayList<>();
        int stillThere = 0;
        List<KeyDestruction> all = records.all();
        for (KeyDestruction d : all) {
            SigningKeys token = d.token().equals(ocspKeys.token().label()) ? ocspKeys
                    : d.token().equals(keys.token().label()) ? keys : null;
            Boolean absent = token == null ? null : token.find(d.keyLabel()).isEmpty();
            if (Boolean.FALSE.equals(absent)) {
                stillThere++;
            }
            Map<String, Object> k = new LinkedHashMap<>();
            k.put("ca", d.ca());
            k.put("role", d.role().wireName());
            k.put("keySha256", d.keySha256());
            k.put("keyLabel", d.keyLabel());
            k.put("token", d.token());
            k.put("grounds", d.grounds());
            k.put("lastExpiry", d.lastExpiry().toString());
            k.put("finalCrlNumber", d.finalCrlNumber() == null ? null : d.finalCrlNumber().toString());
            k.put("finalCrlNextUpdate", d.finalCrlNextUpdate() == null ? null : d.finalCrlNextUpdate().toString());
            k.put("requestedBy", d.requestedBy());
            k.put("approvers", d.approvers());
            k.put("breakGlass", d.breakGlass());
            k.put("tokenAnswer", d.tokenAnswer());
            k.put("destroyedAt", d.destroyedAt().toString());
            k.put("absentFromToken", absent);
            data.add(k);
            details.add((Boolean.FALSE.equals(absent) ? "FAIL STILL IN THE TOKEN " : absent == null ? "not looked up "
                    : "ok ") + d.ca() + " (" + d.role().wireName() + ", key SHA-256 " + d.keySha256() + ", label "
                    + d.keyLabel() + " in token '" + d.token() + "'): destroyed " + d.destroyedAt() + " ("
                    + d.grounds() + ") by " + d.requestedBy() + (d.breakGlass() ? " (break-glass)"
                    : ", approved by " + String.join(", ", d.approvers())) + (d.finalCrlNumber() == null ? ""
                    : "; final CRL number " + d.finalCrlNumber() + " valid until " + d.finalCrlNextUpdate())
                    + "; token: " + d.tokenAnswer());
        }
        CheckStatus status = stillThere > 0 ? CheckStatus.FAIL : all.isEmpty() ? CheckStatus.INFO : CheckStatus.PASS;
        String summary = all.isEmpty() ? "no key retired yet"
                : stillThere > 0 ? stillThere + " of " + all.size() + " destroyed keys are still found in their token"
                : all.size() + " key(s) retired and destroyed, each absent from its token";
        return new ComplianceCheck("retired-keys", Safeguard.AUDIT_CONTROLS, status, summary, details,
                Map.of("keys", data));
    }
}
