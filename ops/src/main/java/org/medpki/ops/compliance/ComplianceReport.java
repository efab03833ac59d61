package org.medpki.ops.compliance;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks of one run, grouped by safeguard. {@link #exitCode()} is 0 when no check failed and
 * {@value #FAILED_EXIT} when any did (documented in the README and CPS 8).
 */
public record ComplianceReport(Instant generatedAt, String installation, List<ComplianceCheck> checks) {
    public static final int FAILED_EXIT = 11;

    public ComplianceReport {
        checks = List.copyOf(checks);
    }

    public boolean ok() {
        return checks.stream().noneMatch(c -> c.status() == CheckStatus.FAIL);
    }

    public int exitCode() {
        return ok() ? 0 : FAILED_EXIT;
    }

    public long count(CheckStatus status) {
        return checks.stream().filter(c -> c.status() == status).count();
    }

    /** The JSON shape: generatedAt, installation, ok, exitCode, counts, safeguards[{section, title, checks[]}]. */
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("generatedAt", generatedAt.toString());
        out.put("installation", installation);
        out.put("ok", ok());
        out.put("exitCode", exitCode());
        Map<String, Object> counts = new LinkedHashMap<>();
        for (CheckStatus s : CheckStatus.values()) {
            counts.put(s.wireName(), count(s));
        }
        out.put("counts", counts);
        List<Map<String, Object>> safeguards = new ArrayList<>();
        for (Safeguard g : Safeguard.values()) {
            Map<String, Object> sg = new LinkedHashMap<>();
            sg.put("section", g.section());
            sg.put("title", g.title());
            List<Map<String, Object>> list = new ArrayList<>();
            for (ComplianceCheck c : checks) {
                if (c.safeguard() != g) {
                    continue;
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", c.id());
                m.put("status", c.status().wireName());
                m.put("summary", c.summary());
                m.put("details", c.details());
                m.put("data", c.data());
                list.add(m);
            }
            sg.put("checks", list);
            safeguards.add(sg);
        }
        out.put("safeguards", safeguards);
        return out;
    }

    /** The text shape: one block per safeguard, a status word per check, details indented. */
    public String toText() {
        var b = new StringBuilder();
        b.append("medpki compliance report: HIPAA Security Rule technical safeguards (45 CFR 164.312)\n");
        b.append("installation: ").append(installation).append("\ngenerated:    ").append(generatedAt).append("\n");
        for (Safeguard g : Safeguard.values()) {
            b.append('\n').append(g.section()).append(' ').append(g.title()).append('\n');
            for (ComplianceCheck c : checks) {
                if (c.safeguard() != g) {
                    continue;
                }
                b.append(String.format("  %-12s %s: %s%n", c.status().wireName().toUpperCase(java.util.Locale.ROOT),
                        c.id(), c.summary()));
                for (String d : c.details()) {
                    b.append("               ").append(d).append('\n');
                }
            }
        }
        b.append("\nresult: ").append(ok() ? "PASS" : "FAIL").append(" (")
                .append(count(CheckStatus.PASS)).append(" passed, ").append(count(CheckStatus.FAIL)).append(" failed, ")
                .append(count(CheckStatus.INFO)).append(" informational, ").append(count(CheckStatus.NOT_MEASURED))
                .append(" not measured)\n");
        return b.toString();
    }
}
