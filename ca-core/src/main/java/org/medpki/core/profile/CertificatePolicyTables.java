package org.medpki.core.profile;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * The CP's tables as data (policies/cp-tables.yaml): the policy OID arc, the CA hierarchy, one row
 * per certificate type, and the revocation service levels. CP.md shows the same tables as rendered
 * by {@link #markdown()} between {@link #BEGIN_MARKER} and {@link #END_MARKER}, and the hierarchy
 * as rendered by {@link #hierarchyMarkdown()} between {@link #HIERARCHY_BEGIN_MARKER} and
 * {@link #HIERARCHY_END_MARKER}.
 */
public record CertificatePolicyTables(String policyArc, String cpOid, CaHierarchyTable caHierarchy,
                                      Map<String, CertificateTypeRules> types, RevocationServiceLevels serviceLevels) {
    public static final String BEGIN_MARKER = "<!-- cp-tables:begin (rendered from cp-tables.yaml; do not edit by hand) -->";
    public static final String END_MARKER = "<!-- cp-tables:end -->";
    public static final String HIERARCHY_BEGIN_MARKER =
            "<!-- cp-tables:ca-hierarchy:begin (rendered from cp-tables.yaml; do not edit by hand) -->";
    public static final String HIERARCHY_END_MARKER = "<!-- cp-tables:ca-hierarchy:end -->";
    private static final Pattern DURATION = Pattern.compile("(\\d{1,6})([smhd])");

    public CertificatePolicyTables {
        CertificateProfile.requireOid(policyArc);
        CertificateProfile.requireOid(cpOid);
        if (!cpOid.startsWith(policyArc + ".")) {
            throw new IllegalArgumentException("cpOid " + cpOid + " is not under policyArc " + policyArc);
        }
        types = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(types));
        for (CertificateTypeRules t : types.values()) {
            if (!t.policyOid().startsWith(cpOid + ".")) {
                throw new IllegalArgumentException("certificate type " + t.name() + ": policyOid " + t.policyOid()
                        + " is not under the CP's OID " + cpOid);
            }
        }
        if (types.isEmpty()) {
            throw new IllegalArgumentException("certificateTypes must not be empty");
        }
        java.util.Objects.requireNonNull(caHierarchy, "caHierarchy");
        java.util.Objects.requireNonNull(serviceLevels, "serviceLevels");
    }

    public Optional<CertificateTypeRules> type(String name) {
        return Optional.ofNullable(types.get(name));
    }

    /** Reads the tables; CONFIGURATION naming the file and key when anything is wrong. */
    public static CertificatePolicyTables load(Path file) {
        YAMLMapper mapper = YAMLMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .build();
        CpTablesDocument doc;
        try {
            doc = mapper.readValue(file.toFile(), CpTablesDocument.class);
        } catch (JsonMappingException e) {
            throw error(file, "key '" + e.getPathReference() + "': " + e.getOriginalMessage(), e);
        } catch (JacksonException e) {
            throw error(file, "is not valid YAML: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw error(file, "cannot be read: " + e.getMessage(), e);
        }
        if (doc == null) {
            throw error(file, "is empty", null);
        }
        try {
            return of(doc);
        } catch (IllegalArgumentException e) {
            throw error(file, e.getMessage(), e);
        }
    }

    private static CertificatePolicyTables of(CpTablesDocument d) {
        Map<String, CertificateTypeRules> types = new LinkedHashMap<>();
        List<CpTablesDocument.Type> rows = require(d.certificateTypes(), "certificateTypes");
        for (int i = 0; i < rows.size(); i++) {
            CpTablesDocument.Type t = rows.get(i);
            String at = "certificateTypes[" + i + "]";
            String name = require(t.name(), at + ".name");
            at = "certificateTypes[" + name + "]";
            var k = require(t.keys(), at + ".keys");
            KeyRules keys;
            try {
                keys = new KeyRules(k.rsaMinBits() == null ? 0 : k.rsaMinBits(),
                        parseSet(k.ecCurves(), at + ".keys.ecCurves", EcCurve::parse, EcCurve.class),
                        Boolean.TRUE.equals(k.ed25519()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(at + ".keys: " + e.getMessage(), e);
            }
            CertificateTypeRules rules = new CertificateTypeRules(name,
                    require(t.policyOid(), at + ".policyOid"), require(t.issuer(), at + ".issuer"),
                    Duration.ofDays(require(t.maxValidityDays(), at + ".maxValidityDays")), keys,
                    parseSet(require(t.keyUsage(), at + ".keyUsage"), at + ".keyUsage", KeyUsageName::parse, KeyUsageName.class),
                    parseSet(require(t.ekuRequired(), at + ".ekuRequired"), at + ".ekuRequired", KeyPurpose::parse, KeyPurpose.class),
                    parseSet(t.ekuOptional(), at + ".ekuOptional", KeyPurpose::parse, KeyPurpose.class),
                    parseSet(t.sanTypes(), at + ".sanTypes", SanType::parse, SanType.class),
                    Boolean.TRUE.equals(t.dnsWildcards()),
                    parseSet(require(t.subjectAttributes(), at + ".subjectAttributes"), at + ".subjectAttributes",
                            SubjectAttribute::parse, SubjectAttribute.class),
                    parseSet(t.sanRequired(), at + ".sanRequired", SanType::parse, SanType.class),
                    Boolean.TRUE.equals(t.noRevAvail()));
            if (types.put(name, rules) != null) {
                throw new IllegalArgumentException("certificate type " + name + " is listed twice");
            }
        }
        CaHierarchyTable hierarchy = hierarchy(require(d.caHierarchy(), "caHierarchy"));
        var s = require(d.serviceLevels(), "serviceLevels");
        var levels = new RevocationServiceLevels(
                duration(require(s.revocationToOcsp(), "serviceLevels.revocationToOcsp"), "serviceLevels.revocationToOcsp"),
                duration(require(s.revocationToCrl(), "serviceLevels.revocationToCrl"), "serviceLevels.revocationToCrl"),
                duration(require(s.ocspMaxAge(), "serviceLevels.ocspMaxAge"), "serviceLevels.ocspMaxAge"),
                duration(require(s.crlMaxAge(), "serviceLevels.crlMaxAge"), "serviceLevels.crlMaxAge"));
        return new CertificatePolicyTables(require(d.policyArc(), "policyArc"), require(d.cpOid(), "cpOid"),
                hierarchy, types, levels);
    }

    private static CaHierarchyTable hierarchy(CpTablesDocument.CaHierarchy h) {
        Map<String, Duration> issuing = new LinkedHashMap<>();
        List<CpTablesDocument.IssuingCa> rows = require(h.issuingCas(), "caHierarchy.issuingCas");
        for (int i = 0; i < rows.size(); i++) {
            CpTablesDocument.IssuingCa row = require(rows.get(i), "caHierarchy.issuingCas[" + i + "]");
            String name = require(row.name(), "caHierarchy.issuingCas[" + i + "].name");
            Duration validity = days(row.validityDays(), "caHierarchy.issuingCas[" + name + "].validityDays");
            if (issuing.put(name, validity) != null) {
                throw new IllegalArgumentException("issuing CA " + name + " is listed twice in caHierarchy.issuingCas");
            }
        }
        return new CaHierarchyTable(
                days(require(h.root(), "caHierarchy.root").validityDays(), "caHierarchy.root.validityDays"),
                issuing,
                days(require(h.ocspSigner(), "caHierarchy.ocspSigner").validityDays(), "caHierarchy.ocspSigner.validityDays"),
                days(require(h.auditSigner(), "caHierarchy.auditSigner").validityDays(), "caHierarchy.auditSigner.validityDays"));
    }

    private static Duration days(Integer days, String key) {
        return Duration.ofDays(require(days, key));
    }

    /**
     * The tables as CP.md shows them, markers included: one row per certificate type, then the
     * service levels. The conformance test fails when CP.md's copy differs from this.
     */
    public String markdown() {
        var b = new StringBuilder(BEGIN_MARKER).append("\n\n");
        b.append("Policy OID arc: `").append(policyArc).append("`; this CP: `").append(cpOid).append("`.\n\n");
        b.append("| Type | Policy OID | Issuer | Max validity | Subject keys | Key usage | EKU required "
                + "| EKU optional | SAN types | Subject attributes |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (CertificateTypeRules t : types.values()) {
            String sans = names(t.sanTypes(), SanType.values(), SanType::yamlName);
            if (t.dnsWildcards()) {
                sans += " (DNS wildcards allowed)";
            }
            if (!t.sanRequired().isEmpty()) {
                sans += " (" + names(t.sanRequired(), SanType.values(), SanType::yamlName) + " required)";
            }
            String validity = t.maxValidity().toDays() + " days";
            if (t.noRevAvail()) {
                validity += ", no revocation information (noRevAvail)";
            }
            b.append("| ").append(t.name())
                    .append(" | `").append(t.policyOid()).append('`')
                    .append(" | ").append(t.issuer())
                    .append(" | ").append(validity)
                    .append(" | ").append(t.keys().describe())
                    .append(" | ").append(names(t.keyUsage(), KeyUsageName.values(), KeyUsageName::yamlName))
                    .append(" | ").append(names(t.ekuRequired(), KeyPurpose.values(), KeyPurpose::yamlName))
                    .append(" | ").append(names(t.ekuOptional(), KeyPurpose.values(), KeyPurpose::yamlName))
                    .append(" | ").append(sans)
                    .append(" | ").append(names(t.subjectAttributes(), SubjectAttribute.values(), SubjectAttribute::yamlName))
                    .append(" |\n");
        }
        b.append("\n| Revocation service level | Maximum |\n|---|---|\n");
        b.append("| Revocation to signed OCSP response (revoked) | ").append(human(serviceLevels.revocationToOcsp())).append(" |\n");
        b.append("| Revocation to first published CRL listing it | ").append(human(serviceLevels.revocationToCrl())).append(" |\n");
        b.append("| Age of a stored OCSP response (thisUpdate) | ").append(human(serviceLevels.ocspMaxAge())).append(" |\n");
        b.append("| Age of an issuing CA's newest complete CRL (thisUpdate) | ").append(human(serviceLevels.crlMaxAge())).append(" |\n");
        b.append('\n').append(END_MARKER);
        return b.toString();
    }

    /**
     * The CA hierarchy as CP.md shows it (CP 1.1, 6.3.2), markers included: one row per CA
     * certificate, who certifies it, what it certifies or signs (an issuing CA: the certificate
     * types whose issuer it is), and its maximum validity.
     */
    public String hierarchyMarkdown() {
        var b = new StringBuilder(HIERARCHY_BEGIN_MARKER).append("\n\n");
        b.append("| CA certificate | Certified by | Certifies or signs | Maximum validity |\n");
        b.append("|---|---|---|---|\n");
        String root = CaHierarchyTable.ROOT_CA;
        b.append("| ").append(root).append(" | itself | ")
                .append(String.join(", ", caHierarchy.issuingCaNames())).append(", ")
                .append(CaHierarchyTable.AUDIT_SIGNER).append("; its own CRL (ARL) | ")
                .append(validity(caHierarchy.rootValidity())).append(" |\n");
        caHierarchy.issuingCas().forEach((name, validity) -> {
            List<String> issued = types.values().stream().filter(t -> t.issuer().equals(name))
                    .map(CertificateTypeRules::name).toList();
            b.append("| ").append(name).append(" | ").append(root).append(" | ")
                    .append(issued.isEmpty() ? "no certificate type" : String.join(", ", issued))
                    .append("; its OCSP signer; its CRLs | ").append(validity(validity)).append(" |\n");
        });
        b.append("| OCSP signer of each issuing CA | that issuing CA | OCSP responses on that CA's certificates | ")
                .append(validity(caHierarchy.ocspSignerValidity())).append(" |\n");
        b.append("| ").append(CaHierarchyTable.AUDIT_SIGNER).append(" | ").append(root)
                .append(" | audit log checkpoints | ").append(validity(caHierarchy.auditSignerValidity())).append(" |\n");
        b.append('\n').append(HIERARCHY_END_MARKER);
        return b.toString();
    }

    /** "7305 days (20 years)", "90 days": whole years shown where the days are that many years with their leap days. */
    private static String validity(Duration d) {
        long days = d.toDays();
        long years = Math.round(days / 365.25);
        return years >= 1 && Math.abs(days - years * 365.25) <= 1 ? plural(days, "day") + " (" + plural(years, "year") + ")"
                : plural(days, "day");
    }

    /** The certificate-type tables between (and including) their markers in a CP document, or empty when absent. */
    public static Optional<String> renderedIn(String document) {
        return between(document, BEGIN_MARKER, END_MARKER);
    }

    /** The CA hierarchy table between (and including) its markers in a CP document, or empty when absent. */
    public static Optional<String> hierarchyRenderedIn(String document) {
        return between(document, HIERARCHY_BEGIN_MARKER, HIERARCHY_END_MARKER);
    }

    private static Optional<String> between(String document, String begin, String endMarker) {
        int start = document.indexOf(begin);
        int end = document.indexOf(endMarker);
        if (start < 0 || end < start) {
            return Optional.empty();
        }
        return Optional.of(document.substring(start, end + endMarker.length()));
    }

    /** "15 minutes", "7 hours", "2 days", "90 seconds". */
    public static String human(Duration d) {
        long s = d.toSeconds();
        if (s % 86400 == 0) {
            return plural(s / 86400, "day");
        }
        if (s % 3600 == 0) {
            return plural(s / 3600, "hour");
        }
        if (s % 60 == 0) {
            return plural(s / 60, "minute");
        }
        return plural(s, "second");
    }

    private static String plural(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s");
    }

    private static <T extends Enum<T>> String names(Collection<T> set, T[] order, Function<T, String> name) {
        if (set.isEmpty()) {
            return "none";
        }
        return java.util.Arrays.stream(order).filter(set::contains).map(name).collect(Collectors.joining(", "));
    }

    static Duration duration(String text, String key) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(key + " '" + text + "' is not a duration (a number and s, m, h or d)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    private static <T extends Enum<T>> Set<T> parseSet(List<String> values, String key, Function<String, T> parser,
                                                       Class<T> type) {
        Set<T> out = EnumSet.noneOf(type);
        if (values == null) {
            return out;
        }
        List<String> list = new ArrayList<>(values);
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null) {
                throw new IllegalArgumentException(key + "[" + i + "] is empty");
            }
            try {
                out.add(parser.apply(list.get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + "[" + i + "]: " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static <T> T require(T value, String key) {
        if (value == null) {
            throw new IllegalArgumentException("missing key '" + key + "'");
        }
        return value;
    }

    private static PkiException error(Path file, String message, Throwable cause) {
        return new PkiException(ErrorKind.CONFIGURATION, "CP tables " + file.getFileName() + ": " + message, cause);
    }
}
