package org.medpki.admin;

import io.vertx.core.MultiMap;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.medpki.core.audit.AuditEntry;
import org.medpki.core.audit.AuditStore;
import org.medpki.core.inventory.CaRecord;
import org.medpki.core.inventory.CertificateQuery;
import org.medpki.core.inventory.CertificateRecord;
import org.medpki.core.inventory.CertificateStatus;
import org.medpki.core.inventory.Inventory;

/**
 * The read-only views of the admin API: the certificate search and the audit log, each from query
 * parameters checked strictly (an unknown parameter or a bad value is a 422 naming it). Blocking.
 */
public final class InventoryQueries {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    /** A page of the sorted list (the console): a larger limit is cut to this, not refused. */
    static final int MAX_PAGE = 200;
    private static final Set<String> CERTIFICATE_PARAMETERS = union(CertificateFilters.NAMES,
            Set.of("status", "limit", "sort", "order", "after"));
    private static final Set<String> AUDIT_PARAMETERS = Set.of("since", "limit");

    private final Inventory inventory;
    private final Owners owners;
    private final CertificateFilters filters;
    private final AuditStore auditStore;
    private final Clock clock;
    private final Map<Long, String> caNames = new ConcurrentHashMap<>();
    private final CertificateDetail detail;

    public InventoryQueries(Inventory inventory, Owners owners, AuditStore auditStore, Clock clock) {
        this.inventory = inventory;
        this.owners = owners;
        this.filters = new CertificateFilters(inventory, owners, clock);
        this.auditStore = auditStore;
        this.clock = clock;
        this.detail = new CertificateDetail(inventory, auditStore);
    }

    /** Lets the certificate detail tell whether the newest CRL lists a certificate; before serving. */
    public InventoryQueries crls(org.medpki.core.crl.CrlStore store) {
        detail.crls(store);
        return this;
    }

    CertificateDetail detail() {
        return detail;
    }

    /** {@code GET /api/v1/certificates}: {"items": [...]}, newest first, or soonest to expire first with expiringWithinDays. */
    JsonObject certificates(MultiMap params) {
        only(params, CERTIFICATE_PARAMETERS);
        for (String name : params.names()) {
            single(params, name);
        }
        CertificateStatus status = null;
        String statusText = single(params, "status");
        if (statusText != null) {
            status = switch (statusText) {
                case "pending" -> CertificateStatus.PENDING;
                case "issued" -> CertificateStatus.ISSUED;
                case "revoked" -> CertificateStatus.REVOKED;
                default -> throw Problem.badInput("status", "status must be pending, issued or revoked");
            };
        }
        boolean sorted = params.contains("sort") || params.contains("order") || params.contains("after");
        int limit = sorted ? pageLimit(params) : limit(params);
        CertificateQuery query = filters.parse(params::get, "", status, limit);
        if (sorted) {
            query = query.withOrder(ListOrder.parse(single(params, "sort"), single(params, "order"),
                    single(params, "after")));
        }
        List<CertificateRecord> found = inventory.list(query);
        Map<String, Owners.Ownership> ownership = owners.ownership(found);
        JsonArray items = new JsonArray();
        for (CertificateRecord r : found) {
            items.add(item(r, ownership.getOrDefault(Owners.key(r.caId(), r.serial()), Owners.Ownership.NONE)));
        }
        JsonObject answer = new JsonObject().put("items", items);
        if (sorted) {
            answer.put("limit", limit).put("next", found.size() < limit ? null
                    : ListOrder.cursor(query.order().key(), found.getLast()));
        }
        return answer;
    }

    /** With sort/order/after, a limit above {@link #MAX_PAGE} is cut to it (still a number from 1). */
    private static int pageLimit(MultiMap params) {
        String limit = single(params, "limit");
        if (limit == null) {
            return DEFAULT_LIMIT;
        }
        if (!limit.matches("[0-9]{1,18}") || Long.parseLong(limit) < 1) {
            throw Problem.badInput("limit", "limit must be a whole number from 1 (more than " + MAX_PAGE
                    + " gives " + MAX_PAGE + ")");
        }
        return (int) Math.min(Long.parseLong(limit), MAX_PAGE);
    }

    /**
     * {@code GET /api/v1/audit}: {"items": [...], "next": N}. {@code since} is the seq of the last
     * entry the reader has (entries after it come) or an RFC 3339 time (entries at or after it);
     * {@code next} is what to pass as {@code since} for the following page (null at the end).
     */
    JsonObject audit(MultiMap params) {
        only(params, AUDIT_PARAMETERS);
        long fromSeq = 1;
        Instant sinceTime = null;
        String since = single(params, "since");
        if (since != null) {
            if (since.matches("[0-9]{1,18}")) {
                fromSeq = Long.parseLong(since) + 1;
            } else {
                try {
                    sinceTime = Instant.parse(since);
                } catch (DateTimeParseException e) {
                    throw Problem.badInput("since", "since must be an audit seq (a number) or a time like "
                            + "2026-12-01T00:00:00Z");
                }
            }
        }
        int limit = limit(params);
        List<AuditEntry> page = auditStore.page(fromSeq, sinceTime, limit);
        JsonArray items = new JsonArray();
        for (AuditEntry e : page) {
            JsonObject details;
            try {
                details = new JsonObject(e.details());
            } catch (DecodeException | ClassCastException ex) {
                details = new JsonObject().put("text", e.details());
            }
            items.add(new JsonObject().put("seq", e.seq()).put("at", e.at().toString()).put("type", e.type())
                    .put("actor", e.actor()).put("outcome", e.outcome()).put("details", details));
        }
        return new JsonObject().put("items", items)
                .put("next", page.size() < limit ? null : page.getLast().seq());
    }

    private JsonObject item(CertificateRecord r, Owners.Ownership ownership) {
        JsonObject j = new JsonObject().put("serial", r.serial().toString(16)).put("issuer", caName(r.caId()))
                .put("profile", r.profile()).put("status", r.status().name().toLowerCase(Locale.ROOT))
                .put("subject", r.subject()).put("sans", new JsonArray(r.sans()))
                .put("notBefore", r.notBefore().toString()).put("notAfter", r.notAfter().toString())
                .put("createdAt", r.createdAt() == null ? null : r.createdAt().toString())
                .put("owner", ownership.owner()).put("location", ownership.location())
                .put("tags", new JsonArray(ownership.tags()));
        if (r.revokedAt() != null) {
            j.put("revokedAt", r.revokedAt().toString());
            j.put("reason", r.reason() == null ? null : r.reason().name());
        }
        return j;
    }

    private String caName(long caId) {
        return caNames.computeIfAbsent(caId, id -> inventory.ca(id).map(CaRecord::name).orElse(Long.toString(id)));
    }

    private static void only(MultiMap params, Set<String> known) {
        for (String name : params.names()) {
            if (!known.contains(name)) {
                throw Problem.badInput(cut(name), "unknown parameter " + cut(name) + " (known: "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String single(MultiMap params, String name) {
        List<String> values = params.getAll(name);
        if (values.size() > 1) {
            throw Problem.badInput(name, name + " may be given once");
        }
        return values.isEmpty() ? null : values.getFirst();
    }

    private static int limit(MultiMap params) {
        String limit = single(params, "limit");
        return limit == null ? DEFAULT_LIMIT : integer(limit, "limit", 1, MAX_LIMIT);
    }

    private static int integer(String value, String field, int min, int max) {
        if (!value.matches("[0-9]{1,9}")) {
            throw Problem.badInput(field, field + " must be a whole number from " + min + " to " + max);
        }
        int n = Integer.parseInt(value);
        if (n < min || n > max) {
            throw Problem.badInput(field, field + " must be a whole number from " + min + " to " + max);
        }
        return n;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    private static String cut(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
