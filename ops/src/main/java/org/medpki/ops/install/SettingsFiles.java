package org.medpki.ops.install;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * Reads and writes {@code PKI_HOME/medpki.yaml}, the one settings file. Reading is strict (an
 * unknown or missing key is an error naming the file and the key) and applies the environment
 * by one rule: the variable {@code PKI_<SECTION>_<KEY>} in upper snake case overrides the scalar
 * {@code section.key} ({@code acme.eabRequired} &lt;-&gt; {@code PKI_ACME_EAB_REQUIRED},
 * {@code database.url} &lt;-&gt; {@code PKI_DATABASE_URL}); lists and maps are set in the file only.
 *
 * <p>An installation made before medpki.yaml has config.yaml, and optionally acme.yaml and
 * crl.yaml: they are read as before, and {@link #migrate} (run by 'pki init', 'pki up' and 'pki
 * config migrate') merges them into medpki.yaml, keeping each old file as {@code NAME.migrated}.
 * medpki.yaml beside one of them is refused: two files would disagree about which one counts.
 */
public final class SettingsFiles {
    /** The file's name under PKI_HOME. */
    public static final String FILE = "medpki.yaml";
    static final String LEGACY_CONFIG = "config.yaml";
    /** The sections that had files of their own, and those files. */
    private static final Map<String, String> LEGACY_SECTIONS = Map.of("acme", "acme.yaml", "crl", "crl.yaml");
    private static final Set<String> INSTALLATION_KEYS = Set.of("domain", "organisation", "profilesDirectory");
    /** Variables named before the rule, still read when the rule's name is not set. */
    private static final Map<String, String> ALIASES = Map.of("PKI_ACME_TLSALPN01_PORT", "acme.tlsAlpn01Port");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private static final String HEADER = """
            # medpki settings: one section per concern. Every scalar key can be overridden by the
            # environment variable PKI_<SECTION>_<KEY> (acme.eabRequired: PKI_ACME_EAB_REQUIRED).
            # Secrets do not belong here: the token PINs come from PKI_TOKEN_PIN[_FILE] and
            # PKI_OCSP_TOKEN_PIN[_FILE], the database passwords from PKI_HOME/secrets.
            """;

    private SettingsFiles() {
    }

    public static Path file(PkiHome home) {
        return home.dir().resolve(FILE);
    }

    /** Whether {@code home} holds an installation's settings (medpki.yaml, or config.yaml not yet migrated). */
    public static boolean exists(PkiHome home) {
        return Files.exists(file(home)) && readTree(file(home)).has("installation")
                || Files.exists(home.dir().resolve(LEGACY_CONFIG));
    }

    /** The effective settings: the file with the process environment's overrides. */
    public static Settings load(PkiHome home) {
        return load(home, System.getenv());
    }

    public static Settings load(PkiHome home, Map<String, String> env) {
        Source source = source(home);
        ObjectNode tree = source.tree().deepCopy();
        Map<String, String> fromEnvironment = applyEnvironment(tree, env);
        return new Settings(convert(tree, source, fromEnvironment), source.main(), fromEnvironment);
    }

    /** The settings as written, without the environment: what a command that rewrites them starts from. */
    public static SettingsDocument readWritten(PkiHome home) {
        Source source = source(home);
        return convert(source.tree(), source, Map.of());
    }

    /** The installation's sections as written (no environment): {@link #readWritten}'s. */
    public static InstallationConfig readInstallation(PkiHome home) {
        return readWritten(home).installationConfig();
    }

    /**
     * The {@code acme} section, with the environment, before an installation exists (for 'pki
     * init', which pre-set acme.yaml or medpki.yaml it finds): its profile decides what the CA
     * grants ACME.
     */
    public static AcmeSettings.File acmeBeforeInstallation(PkiHome home, Map<String, String> env) {
        return sectionBeforeInstallation(home, env, "acme", home.dir().resolve("acme.yaml"), AcmeSettings.File.class,
                AcmeSettings.File.EMPTY);
    }

    /** The devices section as written before the installation exists (the profiles 'pki init' grants est, cmp, scep). */
    public static DeviceSettings.File devicesBeforeInstallation(PkiHome home, Map<String, String> env) {
        return sectionBeforeInstallation(home, env, "devices", null, DeviceSettings.File.class,
                DeviceSettings.File.EMPTY);
    }

    /** {@code legacy}: the section's file from before medpki.yaml, or null. */
    private static <T> T sectionBeforeInstallation(PkiHome home, Map<String, String> env, String name, Path legacy,
                                                   Class<T> type, T empty) {
        ObjectNode root = YAML.createObjectNode();
        Path medpki = file(home);
        if (Files.exists(medpki)) {
            JsonNode section = readTree(medpki).get(name);
            if (section != null) {
                root.set(name, section);
            }
        } else if (legacy != null && Files.exists(legacy)) {
            root.set(name, readTree(legacy));
        }
        Map<String, String> fromEnvironment = applyEnvironment(root, env, Set.of(name));
        JsonNode section = root.get(name);
        if (section == null || section.isNull()) {
            return empty;
        }
        try {
            return YAML.treeToValue(section, type);
        } catch (JsonProcessingException e) {
            throw error(e, name, Files.exists(medpki) || legacy == null ? medpki : legacy, fromEnvironment);
        }
    }

    /**
     * Writes the installation's sections ({@code config}) into medpki.yaml, keeping the service
     * sections as written, and merges any files from before medpki.yaml into it (one line on
     * stderr per file merged).
     */
    public static void writeInstallation(PkiHome home, InstallationConfig config) {
        ObjectNode sections = YAML.valueToTree(SettingsDocument.of(config, null, null, null, null, null));
        merge(home, root -> {
            for (String section : List.of("installation", "token", "ocspToken", "database", "urls", "repository",
                    "caApi")) {
                JsonNode value = sections.get(section);
                if (value == null) {
                    root.remove(section);
                } else {
                    root.set(section, value);
                }
            }
        }).forEach(System.err::println);
    }

    /**
     * Merges config.yaml, acme.yaml and crl.yaml into medpki.yaml (a section in both is refused);
     * returns one line per file merged, nothing when there is nothing to merge or no installation.
     */
    public static List<String> migrate(PkiHome home) {
        boolean legacyFiles = Files.exists(home.dir().resolve(LEGACY_CONFIG)) || LEGACY_SECTIONS.values().stream()
                .anyMatch(name -> Files.exists(home.dir().resolve(name)));
        if (!exists(home) || !legacyFiles) {
            return List.of();
        }
        return merge(home, root -> { });
    }

    /** medpki.yaml (or the files before it), the files before it merged, {@code change}d, written; old files renamed. */
    private static List<String> merge(PkiHome home, java.util.function.Consumer<ObjectNode> change) {
        boolean hasMedpki = Files.exists(file(home));
        Path legacyConfig = home.dir().resolve(LEGACY_CONFIG);
        if (hasMedpki && Files.exists(legacyConfig)) {
            throw new PkiException(ErrorKind.CONFIGURATION, home.dir() + " has both " + FILE + " and "
                    + LEGACY_CONFIG + ": only " + FILE + " is read; remove " + LEGACY_CONFIG + " (or " + FILE
                    + " to merge " + LEGACY_CONFIG + " again)");
        }
        List<String> merged = new ArrayList<>();
        ObjectNode root;
        if (hasMedpki) {
            root = readTree(file(home));
            for (Map.Entry<String, String> e : LEGACY_SECTIONS.entrySet()) {
                Path old = home.dir().resolve(e.getValue());
                if (Files.exists(old)) {
                    if (root.hasNonNull(e.getKey())) {
                        throw new PkiException(ErrorKind.CONFIGURATION, old + " and the " + e.getKey()
                                + " section of " + file(home) + " both exist: keep one (move its keys into the section)");
                    }
                    root.set(e.getKey(), readTree(old));
                    merged.add(e.getValue());
                }
            }
        } else if (Files.exists(legacyConfig)) {
            root = legacy(home).tree().deepCopy();
            merged.add(LEGACY_CONFIG);
            LEGACY_SECTIONS.values().stream().filter(name -> Files.exists(home.dir().resolve(name))).forEach(merged::add);
        } else {
            root = YAML.createObjectNode();
            for (Map.Entry<String, String> e : LEGACY_SECTIONS.entrySet()) {
                Path old = home.dir().resolve(e.getValue());
                if (Files.exists(old)) {
                    root.set(e.getKey(), readTree(old));
                    merged.add(e.getValue());
                }
            }
        }
        change.accept(root);
        write(home, order(root));
        List<String> lines = new ArrayList<>();
        for (String name : merged) {
            Path old = home.dir().resolve(name);
            try {
                Files.move(old, home.dir().resolve(name + ".migrated"), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new PkiException(ErrorKind.CONFIGURATION, "cannot rename " + old + ": " + e.getMessage());
            }
            lines.add("pki: " + name + " merged into " + file(home) + (name.equals(LEGACY_CONFIG) ? ""
                    : " (section " + name.replace(".yaml", "") + ")") + "; the old file is kept as " + name
                    + ".migrated and no longer read");
        }
        return lines;
    }

    /** {@code section.key} of every scalar setting, with its environment variable, in file order. */
    public static Map<String, String> variables() {
        Map<String, String> out = new LinkedHashMap<>();
        for (RecordComponent section : SettingsDocument.class.getRecordComponents()) {
            String sectionName = jsonName(section);
            if (!section.getType().isRecord()) {
                continue;
            }
            for (RecordComponent key : section.getType().getRecordComponents()) {
                if (scalar(key.getType())) {
                    String path = sectionName + "." + jsonName(key);
                    out.put(path, "PKI_" + snake(sectionName) + "_" + snake(jsonName(key)));
                }
            }
        }
        return out;
    }

    /** The variables that name no setting but one set before the rule existed: variable to setting. */
    public static Map<String, String> aliases() {
        return ALIASES;
    }

    /** {@code eabRequired} to {@code EAB_REQUIRED}; {@code http01Port} to {@code HTTP01_PORT}. */
    static String snake(String camel) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c) && i > 0 && !Character.isUpperCase(camel.charAt(i - 1))) {
                out.append('_');
            }
            out.append(Character.toUpperCase(c));
        }
        return out.toString();
    }

    private record Source(ObjectNode tree, Path main, Map<String, Path> sections) {
        Path of(String section) {
            return sections.getOrDefault(section, main);
        }
    }

    private static Source source(PkiHome home) {
        Path medpki = file(home);
        if (Files.exists(medpki)) {
            for (String name : List.of(LEGACY_CONFIG, "acme.yaml", "crl.yaml")) {
                if (Files.exists(home.dir().resolve(name))) {
                    throw new PkiException(ErrorKind.CONFIGURATION, home.dir().resolve(name) + " is not read beside "
                            + medpki + ": run 'pki config migrate' to merge it, or remove it");
                }
            }
            return new Source(readTree(medpki), medpki, Map.of());
        }
        if (Files.exists(home.dir().resolve(LEGACY_CONFIG))) {
            return legacy(home);
        }
        throw new PkiException(ErrorKind.CONFIGURATION, medpki + " does not exist: run 'pki init' first");
    }

    /** config.yaml (top-level domain, organisation, profilesDirectory, the rest sections), acme.yaml, crl.yaml. */
    private static Source legacy(PkiHome home) {
        Path config = home.dir().resolve(LEGACY_CONFIG);
        ObjectNode old = readTree(config);
        ObjectNode root = YAML.createObjectNode();
        ObjectNode installation = root.putObject("installation");
        Map<String, Path> sections = new LinkedHashMap<>();
        old.fields().forEachRemaining(e -> {
            if (INSTALLATION_KEYS.contains(e.getKey())) {
                installation.set(e.getKey(), e.getValue());
            } else {
                root.set(e.getKey(), e.getValue());
            }
        });
        for (Map.Entry<String, String> e : LEGACY_SECTIONS.entrySet()) {
            Path file = home.dir().resolve(e.getValue());
            if (Files.exists(file)) {
                root.set(e.getKey(), readTree(file));
                sections.put(e.getKey(), file);
            }
        }
        return new Source(root, config, sections);
    }

    private static Map<String, String> applyEnvironment(ObjectNode root, Map<String, String> env) {
        return applyEnvironment(root, env, null);
    }

    private static Map<String, String> applyEnvironment(ObjectNode root, Map<String, String> env, Set<String> only) {
        Map<String, String> byPath = new LinkedHashMap<>();
        variables().forEach((path, variable) -> byPath.put(path, variable));
        Map<String, String> applied = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : byPath.entrySet()) {
            String path = e.getKey();
            String variable = e.getValue();
            String value = env.get(variable);
            if (value == null || value.isBlank()) {
                variable = ALIASES.entrySet().stream().filter(a -> a.getValue().equals(path)).map(Map.Entry::getKey)
                        .filter(a -> env.get(a) != null && !env.get(a).isBlank()).findFirst().orElse(null);
                value = variable == null ? null : env.get(variable);
            }
            if (value == null) {
                continue;
            }
            String section = path.substring(0, path.indexOf('.'));
            if (only != null && !only.contains(section)) {
                continue;
            }
            JsonNode current = root.get(section);
            ObjectNode node = current instanceof ObjectNode o ? o : root.putObject(section);
            node.set(path.substring(path.indexOf('.') + 1), TextNode.valueOf(value.trim()));
            applied.put(path, variable);
        }
        return applied;
    }

    private static SettingsDocument convert(ObjectNode tree, Source source, Map<String, String> fromEnvironment) {
        try {
            return YAML.treeToValue(tree, SettingsDocument.class);
        } catch (JsonProcessingException e) {
            String path = e instanceof JsonMappingException m ? path(m) : "";
            String section = path.contains(".") ? path.substring(0, path.indexOf('.')) : path;
            throw error(e, "", source.of(section), fromEnvironment);
        } catch (IllegalArgumentException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, source.main() + ": " + e.getMessage());
        }
    }

    private static PkiException error(JsonProcessingException e, String prefix, Path file,
                                      Map<String, String> fromEnvironment) {
        String path = e instanceof JsonMappingException m ? path(m) : "";
        if (!prefix.isEmpty()) {
            path = path.isEmpty() ? prefix : prefix + "." + path;
        }
        String why = e.getOriginalMessage();
        if (e.getCause() instanceof IllegalArgumentException iae) {
            why = iae.getMessage();
        }
        if (e instanceof UnrecognizedPropertyException u) {
            Set<String> known = new TreeSet<>();
            u.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
            why = "not a setting (known here: " + String.join(", ", known) + ")";
        }
        String variable = fromEnvironment.get(path);
        String where = variable != null ? variable + " (" + path + ")" : file + ": key '" + path + "'";
        return new PkiException(ErrorKind.CONFIGURATION, where + ": " + firstLine(why));
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()))
                .collect(Collectors.joining("."));
    }

    private static ObjectNode readTree(Path file) {
        try {
            JsonNode node = YAML.readTree(file.toFile());
            if (node == null || node.isMissingNode() || node.isNull()) {
                return YAML.createObjectNode();
            }
            if (!(node instanceof ObjectNode object)) {
                throw new PkiException(ErrorKind.CONFIGURATION, file + " must hold keys and values, not "
                        + node.getNodeType().name().toLowerCase(Locale.ROOT));
            }
            return object;
        } catch (JsonProcessingException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, file + " is not valid YAML: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, file + " cannot be read: " + firstLine(e.getMessage()));
        }
    }

    /** Sections in the document's order, so that a rewritten file reads like a new one. */
    private static ObjectNode order(ObjectNode root) {
        ObjectNode out = YAML.createObjectNode();
        for (RecordComponent section : SettingsDocument.class.getRecordComponents()) {
            JsonNode value = root.get(jsonName(section));
            if (value != null && !value.isNull()) {
                out.set(jsonName(section), value);
            }
        }
        root.fields().forEachRemaining(e -> {
            if (!out.has(e.getKey())) {
                out.set(e.getKey(), e.getValue()); // unknown: kept, so that the check names it
            }
        });
        return out;
    }

    /** Checks the document, then replaces medpki.yaml atomically. */
    private static void write(PkiHome home, ObjectNode root) {
        Path target = file(home);
        try {
            YAML.treeToValue(root, SettingsDocument.class);
        } catch (JsonProcessingException e) {
            throw error(e, "", target, Map.of());
        } catch (IllegalArgumentException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, target + ": " + e.getMessage());
        }
        try {
            Files.createDirectories(target.getParent());
            Path tmp = target.resolveSibling(FILE + ".tmp");
            Files.writeString(tmp, HEADER + YAML.writeValueAsString(root));
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, "cannot write " + target + ": " + e.getMessage());
        }
    }

    private static String jsonName(RecordComponent component) {
        JsonProperty p = component.getAccessor().getAnnotation(JsonProperty.class);
        if (p == null) {
            p = component.getAnnotation(JsonProperty.class);
        }
        return p != null && !p.value().isEmpty() ? p.value() : component.getName();
    }

    private static boolean scalar(Class<?> type) {
        return type == String.class || type == Integer.class || type == int.class || type == Boolean.class
                || type == boolean.class || type == Long.class || type == long.class;
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "invalid";
        }
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }
}
