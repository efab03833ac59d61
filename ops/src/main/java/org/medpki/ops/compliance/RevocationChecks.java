package org.medpki.ops.compliance;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.cert.X509CRLEntryHolder;
import org.bouncycastle.cert.X509CRLHolder;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.profile.CertificatePolicyTables;
import org.medpki.core.profile.RevocationServiceLevels;
import org.medpki.inventory.pg.PgComplianceQueries;

/**
 * Revocation publication measured from what the OCSP responder (table ocsp_response) and the CRL
 * publisher (table crl) stored, against the CP's service levels (CP 4.9.5, 4.9.7, 4.9.10):
 * 164.312(d) for the time from revocation to publication (a revoked credential must stop
 * authenticating), 164.312(e) for the freshness of what TLS peers and clients fetch.
 * Where those services have stored nothing, the checks say "not measured" rather than pass.
 */
final class RevocationChecks {
    private static final int CRL_SCAN_LIMIT = 1000;
    private static final int NAMED = 20;

    private final PgComplianceQueries queries;
    private final Hierarchy hierarchy;
    private final RevocationServiceLevels levels;

    RevocationChecks(PgComplianceQueries queries, Hierarchy hierarchy, RevocationServiceLevels levels) {
        this.queries = queries;
        this.hierarchy = hierarchy;
        this.levels = levels;
    }

    private boolean hasData(String table) {
        return queries.tableExists(table) && queries.count(table) > 0;
    }

    ComplianceCheck revocationToOcsp(Instant now, int sample) {
        String id = "revocation-to-ocsp";
        if (!hasData("ocsp_response")) {
            return notMeasured(id, Safeguard.AUTHENTICATION, "not measured: no OCSP responder data (no stored OCSP responses)");
        }
        List<PgComplianceQueries.Revocation> revocations = queries.recentRevocations(sample);
        if (revocations.isEmpty()) {
            return notMeasured(id, Safeguard.AUTHENTICATION, "not measured: no certificate has been revoked");
        }
        List<Duration> latencies = new ArrayList<>();
        List<String> breaches = new ArrayList<>();
        int pending = 0;
        for (PgComplianceQueries.Revocation r : revocations) {
            var row = queries.ocspResponse(r.caId(), r.serial());
            Instant revokedSecond = r.revokedAt().truncatedTo(ChronoUnit.SECONDS);
            if (row.isPresent() && row.get().status().equals("revoked") && !row.get().thisUpdate().isBefore(revokedSecond)) {
                latencies.add(positive(Duration.between(r.revokedAt(), row.get().thisUpdate())));
            } else if (r.revokedAt().plus(levels.revocationToOcsp()).isBefore(now)) {
                breaches.add("serial " + r.serial().toString(16) + " revoked " + r.revokedAt() + ": the stored OCSP response "
                        + (row.isEmpty() ? "is missing" : "still says " + row.get().status() + " (thisUpdate "
                        + row.get().thisUpdate() + ")") + " after " + CertificatePolicyTables.human(levels.revocationToOcsp()));
            } else {
                pending++;
            }
        }
        List<String> details = new ArrayList<>();
        details.add(revocations.size() + " most recent revocations checked; " + latencies.size() + " answered 'revoked', "
                + pending + " still within the service level");
        if (!latencies.isEmpty()) {
            details.add("revocation to response thisUpdate: median " + seconds(median(latencies)) + ", max "
                    + seconds(max(latencies)) + " (an upper bound: a response re-signed by the refresher replaces the first)");
        }
        breaches.stream().limit(NAMED).forEach(b -> details.add("LATE " + b));
        Map<String, Object> data = latencyData(revocations.size(), latencies, breaches.size(), pending,
                levels.revocationToOcsp());
        return ComplianceCheck.of(id, Safeguard.AUTHENTICATION, breaches.isEmpty() ? CheckStatus.PASS : CheckStatus.FAIL,
                breaches.isEmpty() ? "every checked revocation reached OCSP within "
                        + CertificatePolicyTables.human(levels.revocationToOcsp())
                        : breaches.size() + " revocations not published by OCSP within "
                        + CertificatePolicyTables.human(levels.revocationToOcsp()), details).withData(data);
    }

    ComplianceCheck revocationToCrl(Instant now, int sample) {
        String id = "revocation-to-crl";
        if (!hasData("crl")) {
            return notMeasured(id, Safeguard.AUTHENTICATION, "not measured: no CRL publisher data (no stored CRLs)");
        }
        List<PgComplianceQueries.Revocation> revocations = queries.recentRevocations(sample);
        if (revocations.isEmpty()) {
            return notMeasured(id, Safeguard.AUTHENTICATION, "not measured: no certificate has been revoked");
        }
        Map<String, Set<BigInteger>> parsed = new HashMap<>();
        List<Duration> latencies = new ArrayList<>();
        List<String> breaches = new ArrayList<>();
        int pending = 0;
        int unpublishedCa = 0;
        Map<Long, Boolean> caHasCrls = new HashMap<>();
        for (PgComplianceQueries.Revocation r : revocations) {
            if (!caHasCrls.computeIfAbsent(r.caId(), ca -> queries.latestCompleteCrl(ca).isPresent())) {
                unpublishedCa++;
                continue;
            }
            Duration found = null;
            for (PgComplianceQueries.CrlRow crl : queries.crlsPublished(r.caId(), r.revokedAt().minusSeconds(60),
                    r.revokedAt().plus(levels.revocationToCrl()).plusSeconds(1), CRL_SCAN_LIMIT)) {
                if (crl.shard() != 0 && crl.shard() != r.shard()) {
                    continue;
                }
                Set<BigInteger> serials = parsed.computeIfAbsent(crl.caId() + "/" + crl.shard() + "/" + crl.number(),
                        k -> serialsOf(crl.der()));
                if (serials.contains(r.serial())) {
                    found = positive(Duration.between(r.revokedAt(), crl.publishedAt()));
                    break;
                }
            }
            if (found != null && found.compareTo(levels.revocationToCrl()) <= 0) {
                latencies.add(found);
            } else if (r.revokedAt().plus(levels.revocationToCrl()).isBefore(now)) {
                breaches.add("serial " + r.serial().toString(16) + " revoked " + r.revokedAt()
                        + ": on no CRL published within " + CertificatePolicyTables.human(levels.revocationToCrl()));
            } else {
                pending++;
            }
        }
        List<String> details = new ArrayList<>();
        details.add(revocations.size() + " most recent revocations checked; " + latencies.size()
                + " found on a published CRL, " + pending + " still within the service level"
                + (unpublishedCa > 0 ? ", " + unpublishedCa + " of CAs with no CRL stored (not measured)" : ""));
        if (!latencies.isEmpty()) {
            details.add("revocation to first CRL listing it (published_at): median " + seconds(median(latencies))
                    + ", max " + seconds(max(latencies)));
        }
        breaches.stream().limit(NAMED).forEach(b -> details.add("LATE " + b));
        if (latencies.isEmpty() && breaches.isEmpty() && pending == 0) {
            return notMeasured(id, Safeguard.AUTHENTICATION, "not measured: no CRL is stored for the CAs of the revoked certificates");
        }
        return ComplianceCheck.of(id, Safeguard.AUTHENTICATION, breaches.isEmpty() ? CheckStatus.PASS : CheckStatus.FAIL,
                breaches.isEmpty() ? "every checked revocation was on a CRL within "
                        + CertificatePolicyTables.human(levels.revocationToCrl())
                        : breaches.size() + " revocations not on a CRL within "
                        + CertificatePolicyTables.human(levels.revocationToCrl()), details)
                .withData(latencyData(revocations.size(), latencies, breaches.size(), pending, levels.revocationToCrl()));
    }

    ComplianceCheck ocspFreshness(Instant now) {
        String id = "ocsp-freshness";
        if (!hasData("ocsp_response")) {
            return notMeasured(id, Safeguard.TRANSMISSION_SECURITY, "not measured: no OCSP responder data (no stored OCSP responses)");
        }
        PgComplianceQueries.OcspSummary s = queries.ocspSummary(now);
        List<String> details = new ArrayList<>();
        details.add(s.responses() + " stored responses; " + s.liveWithResponse() + " of " + s.liveCertificates()
                + " unexpired certificates have one (responses for others are signed on demand)");
        Duration age = s.oldestThisUpdate() == null ? Duration.ZERO : Duration.between(s.oldestThisUpdate(), now);
        if (s.oldestThisUpdate() != null) {
            details.add("oldest thisUpdate " + s.oldestThisUpdate() + " (" + seconds(age) + " old; at most "
                    + CertificatePolicyTables.human(levels.ocspMaxAge()) + ")");
        }
        List<String> problems = new ArrayList<>();
        if (s.expiredResponses() > 0) {
            problems.add(s.expiredResponses() + " stored responses for unexpired certificates are past nextUpdate");
        }
        if (age.compareTo(levels.ocspMaxAge()) > 0) {
            problems.add("the oldest stored response is " + seconds(age) + " old");
        }
        problems.forEach(p -> details.add("STALE " + p));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("responses", s.responses());
        data.put("liveCertificates", s.liveCertificates());
        data.put("liveWithResponse", s.liveWithResponse());
        data.put("pastNextUpdate", s.expiredResponses());
        data.put("oldestAgeSeconds", age.toSeconds());
        data.put("maxAgeSeconds", levels.ocspMaxAge().toSeconds());
        return ComplianceCheck.of(id, Safeguard.TRANSMISSION_SECURITY, problems.isEmpty() ? CheckStatus.PASS : CheckStatus.FAIL,
                problems.isEmpty() ? "stored OCSP responses are current (oldest " + seconds(age) + ")"
                        : String.join("; ", problems), details).withData(data);
    }

    ComplianceCheck crlFreshness(Instant now) {
        String id = "crl-freshness";
        if (!hasData("crl")) {
            return notMeasured(id, Safeguard.TRANSMISSION_SECURITY, "not measured: no CRL publisher data (no stored CRLs)");
        }
        List<String> details = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<Map<String, Object>> data = new ArrayList<>();
        for (CaCertificate ca : hierarchy.all()) {
            CaRole role = ca.record().role();
            if (role != CaRole.ROOT && role != CaRole.ISSUING) {
                continue;
            }
            var latest = queries.latestCompleteCrl(ca.record().id());
            if (latest.isEmpty()) {
                if (role == CaRole.ISSUING) {
                    problems.add(ca.name() + " has no complete CRL");
                } else {
                    details.add(ca.name() + ": no CRL stored in the database");
                }
                continue;
            }
            var crl = latest.get();
            Duration age = Duration.between(crl.thisUpdate(), now);
            details.add(ca.name() + ": CRL " + crl.number() + " thisUpdate " + crl.thisUpdate() + " nextUpdate "
                    + crl.nextUpdate() + ", " + crl.entries() + " entries (" + seconds(age) + " old)");
            if (!crl.nextUpdate().isAfter(now)) {
                problems.add(ca.name() + "'s newest CRL expired at " + crl.nextUpdate());
            } else if (role == CaRole.ISSUING && age.compareTo(levels.crlMaxAge()) > 0) {
                problems.add(ca.name() + "'s newest CRL is " + seconds(age) + " old (at most "
                        + CertificatePolicyTables.human(levels.crlMaxAge()) + ")");
            }
            data.add(Map.of("ca", ca.name(), "crlNumber", crl.number().toString(), "thisUpdate", crl.thisUpdate().toString(),
                    "nextUpdate", crl.nextUpdate().toString(), "ageSeconds", age.toSeconds()));
        }
        problems.forEach(p -> details.add("NOT CURRENT " + p));
        return ComplianceCheck.of(id, Safeguard.TRANSMISSION_SECURITY, problems.isEmpty() ? CheckStatus.PASS : CheckStatus.FAIL,
                problems.isEmpty() ? "every issuing CA has a current complete CRL" : String.join("; ", problems), details)
                .withData(Map.of("crls", data, "maxAgeSeconds", levels.crlMaxAge().toSeconds()));
    }

    private static Set<BigInteger> serialsOf(byte[] der) {
        Set<BigInteger> out = new HashSet<>();
        try {
            for (Object o : new X509CRLHolder(der).getRevokedCertificates()) {
                out.add(((X509CRLEntryHolder) o).getSerialNumber());
            }
        } catch (IOException | RuntimeException e) {
            // An unreadable CRL lists nothing we can rely on.
        }
        return out;
    }

    private static ComplianceCheck notMeasured(String id, Safeguard safeguard, String why) {
        return ComplianceCheck.of(id, safeguard, CheckStatus.NOT_MEASURED, why, List.of());
    }

    private static Map<String, Object> latencyData(int checked, List<Duration> latencies, int late, int pending,
                                                   Duration limit) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("checked", checked);
        data.put("published", latencies.size());
        data.put("late", late);
        data.put("pending", pending);
        data.put("limitSeconds", limit.toSeconds());
        if (!latencies.isEmpty()) {
            data.put("medianMillis", median(latencies).toMillis());
            data.put("maxMillis", max(latencies).toMillis());
        }
        return data;
    }

    private static Duration positive(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    private static Duration median(List<Duration> values) {
        List<Duration> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static Duration max(List<Duration> values) {
        return values.stream().max(Duration::compareTo).orElse(Duration.ZERO);
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms < 10_000 ? String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0)
                : ms < 3_600_000 ? (ms / 1000) + " s" : String.format(java.util.Locale.ROOT, "%.1f h", ms / 3_600_000.0);
    }
}
