package org.medpki.core.profile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * The certificate profiles the CA enforces, read from every {@code *.yaml} file of a directory.
 * Strings may contain {@code {variable}} placeholders filled from the deployment's variables (for
 * example {@code domain}, {@code ocspUrl}, {@code crlBaseUrl}, {@code caIssuersBaseUrl}); an
 * unknown variable is an error. {@value CertificateProfile#CA_PLACEHOLDER} is left for the
 * template. A file's profile name must equal its file name without ".yaml".
 */
public final class ProfileCatalog {
    private static final Pattern VARIABLE = Pattern.compile("\\{([A-Za-z][A-Za-z0-9_]*)}");
    private static final Pattern DAYS = Pattern.compile("(\\d{1,5})d");

    private final Map<String, CertificateProfile> profiles;

    private ProfileCatalog(Map<String, CertificateProfile> profiles) {
        this.profiles = Map.copyOf(profiles);
    }

    /** A catalog of already-built profiles (tests, or profiles built in code). */
    public static ProfileCatalog of(Collection<CertificateProfile> profiles) {
        var map = new TreeMap<String, CertificateProfile>();
        for (CertificateProfile p : profiles) {
            if (map.put(p.name(), p) != null) {
                throw new PkiException(ErrorKind.CONFIGURATION, "profile '" + p.name() + "' is defined twice");
            }
        }
        return new ProfileCatalog(map);
    }

    public static ProfileCatalog load(Path dir, Map<String, String> variables) {
        if (!Files.isDirectory(dir)) {
            throw new PkiException(ErrorKind.CONFIGURATION, "profile directory " + dir + " does not exist");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".yaml") && Files.isRegularFile(p))
                    .sorted().toList();
        } catch (IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, "cannot list profile directory " + dir + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new PkiException(ErrorKind.CONFIGURATION, "profile directory " + dir + " has no *.yaml files");
        }
        var map = new TreeMap<String, CertificateProfile>();
        for (Path f : files) {
            CertificateProfile p = loadFile(f, variables);
            map.put(p.name(), p);
        }
        return new ProfileCatalog(map);
    }

    /** Reads and checks one profile file. */
    public static CertificateProfile loadFile(Path file, Map<String, String> variables) {
        String fileName = file.getFileName().toString();
        YAMLMapper mapper = YAMLMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .build();
        JsonNode tree;
        try {
            tree = mapper.readTree(file.toFile());
        } catch (JacksonException e) {
            throw configError(fileName, "is not valid YAML: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw configError(fileName, "cannot be read: " + e.getMessage(), e);
        }
        if (tree == null || !tree.isObject()) {
            throw configError(fileName, "must be a YAML mapping of profile keys", null);
        }
        substitute(tree, "", variables, fileName);
        ProfileDocument doc;
        try {
            doc = mapper.treeToValue(tree, ProfileDocument.class);
        } catch (UnrecognizedPropertyException e) {
            throw configError(fileName, "unknown key '" + keyPath(e) + "' (known here: "
                    + String.join(", ", e.getKnownPropertyIds().stream().map(Object::toString).sorted().toList()) + ")", e);
        } catch (JsonMappingException e) {
            throw configError(fileName, "key '" + keyPath(e) + "': " + e.getOriginalMessage(), e);
        } catch (JacksonException e) {
            throw configError(fileName, e.getOriginalMessage(), e);
        }
        try {
            CertificateProfile p = toProfile(doc);
            String expected = fileName.substring(0, fileName.length() - ".yaml".length());
            if (!p.name().equals(expected)) {
                throw new IllegalArgumentException("name '" + p.name() + "' must equal the file name '" + expected + "'");
            }
            return p;
        } catch (IllegalArgumentException e) {
            throw configError(fileName, e.getMessage(), e);
        }
    }

    public CertificateProfile get(String name) {
        CertificateProfile p = profiles.get(name);
        if (p == null) {
            throw new PkiException(ErrorKind.UNKNOWN_PROFILE,
                    "unknown profile '" + name + "' (known: " + String.join(", ", names()) + ")");
        }
        return p;
    }

    /** Profile names in alphabetical order. */
    public List<String> names() {
        return List.copyOf(new TreeMap<>(profiles).keySet());
    }

    public Collection<CertificateProfile> all() {
        return List.copyOf(new TreeMap<>(profiles).values());
    }

    private static PkiException configError(String file, String message, Throwable cause) {
        return new PkiException(ErrorKind.CONFIGURATION, "profile file " + file + ": " + message, cause);
    }

    private static String keyPath(JsonMappingException e) {
        var sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    /** Replaces {variable} in every string of the tree; {ca} stays for the template. */
    private static void substitute(JsonNode node, String path, Map<String, String> variables, String file) {
        if (node instanceof ObjectNode obj) {
            Iterator<Map.Entry<String, JsonNode>> it = obj.properties().iterator();
            List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
            it.forEachRemaining(entries::add);
            for (var e : entries) {
                String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                if (e.getValue().isTextual()) {
                    obj.set(e.getKey(), TextNode.valueOf(fill(e.getValue().asText(), p, variables, file)));
                } else {
                    substitute(e.getValue(), p, variables, file);
                }
            }
        } else if (node instanceof ArrayNode arr) {
            for (int i = 0; i < arr.size(); i++) {
                String p = path + "[" + i + "]";
                if (arr.get(i).isTextual()) {
                    arr.set(i, TextNode.valueOf(fill(arr.get(i).asText(), p, variables, file)));
                } else {
                    substitute(arr.get(i), p, variables, file);
                }
            }
        }
    }

    private static String fill(String text, String path, Map<String, String> variables, String file) {
        Matcher m = VARIABLE.matcher(text);
        var sb = new StringBuilder();
        while (m.find()) {
            String var = m.group(1);
            String value;
            if (var.equals("ca")) {
                value = m.group();
            } else {
                value = variables.get(var);
                if (value == null) {
                    throw configError(file, "key '" + path + "' uses unknown variable '{" + var + "}' (known: "
                            + String.join(", ", new TreeMap<>(variables).keySet()) + ", ca)", null);
                }
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static CertificateProfile toProfile(ProfileDocument d) {
        var v = require(d.validity(), "validity");
        var k = require(d.keys(), "keys");
        var eku = require(d.extendedKeyUsage(), "extendedKeyUsage");
        var subj = require(d.subject(), "subject");
        var san = require(d.subjectAltNames(), "subjectAltNames");

        List<KeyPurpose> required = parseAll(require(eku.required(), "extendedKeyUsage.required"),
                "extendedKeyUsage.required", KeyPurpose::parse);
        List<KeyPurpose> optional = parseAll(orEmpty(eku.optional()), "extendedKeyUsage.optional", KeyPurpose::parse);
        for (KeyPurpose p : optional) {
            if (required.contains(p)) {
                throw new IllegalArgumentException("extendedKeyUsage " + p + " is both required and optional");
            }
        }
        var all = new ArrayList<>(required);
        all.addAll(optional);

        Set<EcCurve> curves = EnumSet.noneOf(EcCurve.class);
        curves.addAll(parseAll(orEmpty(k.ecCurves()), "keys.ecCurves", EcCurve::parse));
        Set<KeyUsageName> ku = EnumSet.noneOf(KeyUsageName.class);
        ku.addAll(parseAll(require(d.keyUsage(), "keyUsage"), "keyUsage", KeyUsageName::parse));
        Set<SubjectAttribute> allowed = EnumSet.noneOf(SubjectAttribute.class);
        allowed.addAll(parseAll(orEmpty(subj.allowed()), "subject.allowed", SubjectAttribute::parse));
        Set<SubjectAttribute> requiredAttrs = EnumSet.noneOf(SubjectAttribute.class);
        requiredAttrs.addAll(parseAll(orEmpty(subj.required()), "subject.required", SubjectAttribute::parse));

        boolean noRevAvail = Boolean.TRUE.equals(d.noRevAvail());
        SanRules sanRules;
        SubjectRules subjectRules;
        KeyRules keyRules;
        try {
            sanRules = new SanRules(san.minimum() == null ? 0 : san.minimum(),
                    lowerAll(orEmpty(san.dns())), Boolean.TRUE.equals(san.dnsWildcards()),
                    parseAll(orEmpty(san.ip()), "subjectAltNames.ip", IpRange::parse),
                    orEmpty(san.email()), orEmpty(san.uri()),
                    Set.copyOf(parseAll(orEmpty(san.required()), "subjectAltNames.required", SanType::parse)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("subjectAltNames: " + e.getMessage(), e);
        }
        try {
            subjectRules = new SubjectRules(allowed, requiredAttrs,
                    CommonNameRule.parse(require(subj.commonName(), "subject.commonName")));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("subject: " + e.getMessage(), e);
        }
        try {
            keyRules = new KeyRules(k.rsaMinBits() == null ? 0 : k.rsaMinBits(), curves, Boolean.TRUE.equals(k.ed25519()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("keys: " + e.getMessage(), e);
        }
        return new CertificateProfile(require(d.name(), "name"), require(d.description(), "description"),
                require(d.issuer(), "issuer"), require(d.policyOid(), "policyOid"),
                duration(require(v.max(), "validity.max"), "validity.max"),
                duration(require(v.defaultValidity(), "validity.default"), "validity.default"),
                keyRules, ku, all, Set.copyOf(optional), subjectRules, sanRules,
                noRevAvail ? d.crlDistributionPoint() : require(d.crlDistributionPoint(), "crlDistributionPoint"),
                noRevAvail ? d.ocspUrl() : require(d.ocspUrl(), "ocspUrl"),
                require(d.caIssuersUrl(), "caIssuersUrl"), noRevAvail);
    }

    /** "90d" or an ISO-8601 duration such as "P90D" or "PT12H". */
    static Duration duration(String text, String key) {
        String t = text.trim();
        Matcher m = DAYS.matcher(t);
        if (m.matches()) {
            return Duration.ofDays(Long.parseLong(m.group(1)));
        }
        try {
            return Duration.parse(t.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(key + " '" + text + "' is not a duration (write e.g. 90d or P90D)");
        }
    }

    private static <T> T require(T value, String key) {
        if (value == null) {
            throw new IllegalArgumentException("missing key '" + key + "'");
        }
        return value;
    }

    private static List<String> orEmpty(List<String> list) {
        return list == null ? List.of() : list;
    }

    private static List<String> lowerAll(List<String> list) {
        return list.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
    }

    private static <T> List<T> parseAll(List<String> values, String key, Function<String, T> parser) {
        List<T> out = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            if (v == null) {
                throw new IllegalArgumentException(key + "[" + i + "] is empty");
            }
            try {
                out.add(parser.apply(v));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + "[" + i + "]: " + e.getMessage(), e);
            }
        }
        return out;
    }
}
