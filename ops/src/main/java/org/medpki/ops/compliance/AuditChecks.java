package org.medpki.ops.compliance;

import java.security.PublicKey;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.medpki.core.audit.AuditChain;
import org.medpki.core.audit.AuditEntry;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditReport;
import org.medpki.core.audit.AuditStore;
import org.medpki.core.audit.AuditVerifier;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.keys.PublicKeys;

/**
 * 164.312(b): the audit log verified end to end (CPS 5.4), its retention (six years, 164.316(b)(2)),
 * and the key ceremonies it records matched against the keys the hierarchy uses (CPS 6.1.1).
 */
final class AuditChecks {
    static final int RETENTION_YEARS = 6;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AuditStore store;
    private final Hierarchy hierarchy;

    AuditChecks(AuditStore store, Hierarchy hierarchy) {
        this.store = store;
        this.hierarchy = hierarchy;
    }

    /** The verifier's report, and the retention judgement drawn from its oldest entry. */
    List<ComplianceCheck> chainAndRetention(Instant now) {
        PublicKey auditKey = hierarchy.auditSigner().map(CaCertificate::publicKey).orElse(null);
        AuditReport report = new AuditVerifier(store).verify(auditKey);
        List<String> details = new ArrayList<>();
        details.add(report.entries() + " entries, " + report.checkpointsVerified() + " checkpoints signed by "
                + (auditKey == null ? "(no audit signer: signatures not checked)" : "the audit signer") + " verified"
                + report.newest().map(e -> ", newest entry " + e.seq() + " at " + e.at()).orElse(""));
        report.problems().forEach(p -> details.add("PROBLEM " + p));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("entries", report.entries());
        data.put("checkpointsVerified", report.checkpointsVerified());
        data.put("problems", report.problems());
        report.oldest().ifPresent(e -> data.put("oldest", Map.of("seq", e.seq(), "at", e.at().toString())));
        boolean signed = auditKey != null && report.checkpointsVerified() > 0;
        if (!signed) {
            details.add("no checkpoint signed by the audit key verified");
        }
        ComplianceCheck chain = ComplianceCheck.of("audit-chain", Safeguard.AUDIT_CONTROLS,
                report.ok() && signed ? CheckStatus.PASS : CheckStatus.FAIL,
                report.ok() ? "hash chain intact from entry " + report.oldest().map(AuditEntry::seq).orElse(0L)
                        + " to " + report.newest().map(AuditEntry::seq).orElse(0L)
                        : report.problems().size() + " problems: " + report.problems().getFirst(),
                details).withData(data);
        return List.of(chain, retention(report, now));
    }

    private static ComplianceCheck retention(AuditReport report, Instant now) {
        if (report.oldest().isEmpty()) {
            return ComplianceCheck.of("audit-retention", Safeguard.AUDIT_CONTROLS, CheckStatus.FAIL,
                    "the audit log is empty", List.of());
        }
        AuditEntry oldest = report.oldest().get();
        Instant keepUntil = oldest.at().atZone(ZoneOffset.UTC).plusYears(RETENTION_YEARS).toInstant();
        Instant sixYearsAgo = now.atZone(ZoneOffset.UTC).minusYears(RETENTION_YEARS).toInstant();
        List<String> details = List.of("oldest entry " + oldest.seq() + " (" + oldest.type() + ") at " + oldest.at(),
                "entries are kept at least " + RETENTION_YEARS + " years (HIPAA 164.316(b)(2)): the oldest may be "
                        + "archived no earlier than " + keepUntil);
        Map<String, Object> data = Map.of("oldestSeq", oldest.seq(), "oldestAt", oldest.at().toString(),
                "keepUntil", keepUntil.toString());
        // Entries before the oldest one were removed; that is only allowed once they are six years old.
        if (oldest.seq() == 1 || !oldest.at().isAfter(sixYearsAgo)) {
            return ComplianceCheck.of("audit-retention", Safeguard.AUDIT_CONTROLS, CheckStatus.PASS,
                    oldest.seq() == 1 ? "the log is complete from its first entry (" + oldest.at() + ")"
                            : "entries before " + oldest.seq() + " were archived after the retention period",
                    details).withData(data);
        }
        return ComplianceCheck.of("audit-retention", Safeguard.AUDIT_CONTROLS, CheckStatus.FAIL,
                "entries 1.." + (oldest.seq() - 1) + " are gone although entry " + oldest.seq() + " is younger than "
                        + RETENTION_YEARS + " years", details).withData(data);
    }

    /**
     * Every CA key in use must be accounted for by a recorded ceremony (root, issuing, audit) or an
     * OCSP-signer rotation, matched by public-key fingerprint.
     */
    ComplianceCheck ceremonyRecords() {
        Map<String, String> recordedKeys = new LinkedHashMap<>(); // keySha256 -> where recorded
        List<String> details = new ArrayList<>();
        List<Map<String, Object>> ceremonies = new ArrayList<>();
        store.forEach(1, e -> {
            if (!e.outcome().equals(AuditChain.outcomeName(AuditEvent.Outcome.SUCCESS))) {
                return;
            }
            if (e.type().equals("ceremony.completed") || e.type().equals("ocsp-signer.rotated")) {
                JsonNode d = parse(e.details());
                String where = e.type() + " (entry " + e.seq() + ", " + e.at() + ", by " + e.actor() + ")";
                d.properties().forEach(p -> {
                    if (p.getKey().endsWith("keySha256")) {
                        recordedKeys.put(p.getValue().asText(), where);
                    }
                });
                if (e.type().equals("ceremony.completed")) {
                    ceremonies.add(Map.of("seq", e.seq(), "at", e.at().toString(), "actor", e.actor(),
                            "tokenLabel", d.path("tokenLabel").asText(), "tokenSerial", d.path("tokenSerial").asText()));
                    details.add("ceremony at " + e.at() + " by " + e.actor() + " (entry " + e.seq() + ") in token '"
                            + d.path("tokenLabel").asText() + "' serial " + d.path("tokenSerial").asText());
                }
            }
        });
        List<String> unaccounted = new ArrayList<>();
        for (CaCertificate ca : hierarchy.all()) {
            String fp = PublicKeys.fingerprint(ca.publicKey());
            String where = recordedKeys.get(fp);
            if (where == null) {
                unaccounted.add(ca.name());
                details.add("NOT RECORDED: key of " + ca.name() + " (sha256 " + fp + ")");
            } else {
                details.add(ca.name() + ": key recorded by " + where);
            }
        }
        CheckStatus status = !ceremonies.isEmpty() && unaccounted.isEmpty() ? CheckStatus.PASS : CheckStatus.FAIL;
        String summary = ceremonies.isEmpty() ? "no ceremony.completed record in the audit log"
                : unaccounted.isEmpty() ? ceremonies.size() + " ceremony record(s); all " + hierarchy.all().size()
                        + " CA keys match a recorded ceremony or OCSP-signer rotation"
                : unaccounted.size() + " CA keys are not in any ceremony or rotation record: " + String.join(", ", unaccounted);
        return ComplianceCheck.of("ceremony-records", Safeguard.AUDIT_CONTROLS, status, summary, details)
                .withData(Map.of("ceremonies", ceremonies, "unaccountedKeys", unaccounted));
    }

    private static JsonNode parse(String details) {
        try {
            return JSON.readTree(details);
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }
}
