package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medpki.inventory.pg.DatabaseUrl;
import org.medpki.ops.cli.ServiceCommand;
import picocli.CommandLine;

/**
 * The container deployment files (docker/compose.yaml, docker/kubernetes/*.yaml, the Dockerfile
 * and its entry point) only use commands, options, ports and environment variables that exist:
 * parsed as YAML and as 'pki' command lines, not grepped. There is no Docker engine here; this is
 * what stands in for running them.
 */
class DeploymentFilesTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern PKI_VARIABLE = Pattern.compile("PKI_[A-Z0-9_]*[A-Z0-9]");
    private static final String PKI_HOME_IN_IMAGE = "/var/lib/medpki";

    static Path root;
    static Path docker;
    static JsonNode compose;
    /** The installation's ports, from the compose file's 'pki init' command line. */
    static int httpPort;
    static int caApiPort;
    static String domain;

    @BeforeAll
    static void load() throws IOException {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("docker").resolve("compose.yaml"))) {
            p = p.getParent();
        }
        assertThat(p).as("docker/compose.yaml above " + Path.of("").toAbsolutePath()).isNotNull();
        root = p;
        docker = root.resolve("docker");
        compose = YAML.readTree(docker.resolve("compose.yaml").toFile());
        List<JsonNode> inits = new ArrayList<>();
        compose.get("services").properties().forEach(e -> {
            List<String> c = strings(e.getValue().get("command"));
            if (isMedpki(e.getValue()) && !c.isEmpty() && c.get(0).equals("init")) {
                inits.add(e.getValue());
            }
        });
        assertThat(inits).as("one 'pki init' container").hasSize(1);
        CommandLine.ParseResult init = parse(strings(inits.get(0).get("command"))).subcommand();
        httpPort = init.matchedOptionValue("--http-port", 8080);
        caApiPort = init.matchedOptionValue("--ca-api-port", httpPort + 364);
        domain = init.matchedOptionValue("--domain", null);
    }

    // ---- helpers

    private static boolean isMedpki(JsonNode container) {
        return container.path("image").asText("").startsWith("medpki");
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node == null || node.isNull() || node.isMissingNode()) {
            return out;
        }
        assertThat(node.isArray()).as("a command is a list (exec form), not a shell string: " + node).isTrue();
        node.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The 'pki' command line: picocli must accept it as the product's own parser does. */
    private static CommandLine.ParseResult parse(List<String> args) {
        try {
            return new CommandLine(new PkiMain()).parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new AssertionError("not a 'pki' command line: " + args + ": " + e.getMessage());
        }
    }

    /** What a command line runs as: init, export, or the served service (ca, acme, ocsp, crl, admin, est, cmp, scep). */
    private record Role(String name, Integer port) {
    }

    private static Role role(List<String> args) {
        CommandLine.ParseResult r = parse(args).subcommand();
        assertThat(r).as("a subcommand in " + args).isNotNull();
        String command = r.commandSpec().name();
        if (command.equals("serve")) {
            CommandLine.ParseResult s = r.subcommand();
            assertThat(s).as("serve names a service: " + args).isNotNull();
            return new Role(s.commandSpec().name(), s.matchedOptionValue("--port", null));
        }
        return new Role(command, null);
    }

    /** The port a served service listens on, by the command's --port or the installation's defaults. */
    private static int port(Role role) {
        if (role.port() != null) {
            return role.port();
        }
        return switch (role.name()) {
            case "ca" -> caApiPort;
            case "acme" -> httpPort + 363;
            case "ocsp" -> httpPort + 1;
            case "crl" -> httpPort;
            case "admin" -> httpPort + 365;
            case "est" -> httpPort + 366;
            case "cmp" -> httpPort + 367;
            case "scep" -> httpPort + 368;
            default -> throw new AssertionError(role.name() + " serves nothing");
        };
    }

    private static boolean serves(Role role) {
        return ServiceCommand.SERVICES.contains(role.name());
    }

    /** One container's environment: names the product reads, no secret values, secret files only where allowed. */
    private static void checkEnvironment(String where, Role role, Map<String, String> env) {
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            String value = e.getValue();
            assertThat(EnvironmentVariables.known(name)).as(where + ": " + name + " is not read by the product").isTrue();
            assertThat(EnvironmentVariables.SECRET_VALUES).as(where + ": a secret as a value: " + name)
                    .doesNotContain(name);
            noSecretIn(where + " " + name, value);
            Set<String> allowed = EnvironmentVariables.SECRET_FILES.get(name);
            if (allowed != null) {
                assertThat(allowed).as(where + ": " + name + " is given to " + role.name()).contains(role.name());
                assertThat(value).as(where + ": " + name + " names a file").startsWith("/");
            }
            if (name.equals("PKI_DATABASE_URL")) {
                assertThat(DatabaseUrl.parse(value).password()).as(where + ": PKI_DATABASE_URL has a password").isNull();
            }
        }
    }

    /** No password or PIN written out literally in any value. */
    private static void noSecretIn(String where, String value) {
        assertThat(value).as(where).doesNotContainPattern("(?i)password=").doesNotContainPattern("(?i)pin=");
        Matcher url = Pattern.compile("[a-z]+://([^/@\\s]*)@").matcher(value);
        while (url.find()) {
            assertThat(url.group(1)).as(where + ": credentials in a URL").doesNotContain(":");
        }
    }

    private static List<Path> kubernetesFiles() throws IOException {
        try (Stream<Path> s = Files.list(docker.resolve("kubernetes"))) {
            return s.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    private static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(file.toFile())) {
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && !n.isEmpty()) {
                    docs.add(n);
                }
            }
        }
        return docs;
    }

    // ---- the product's list of environment variables

    @Test
    void theListOfEnvironmentVariablesIsWhatTheMainSourcesRead() throws IOException {
        Set<String> found = new TreeSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile)
                    .filter(f -> root.relativize(f).toString().matches("[^/]+/src/main/.*"))
                    .filter(f -> !f.getFileName().toString().equals("EnvironmentVariables.java")).toList()) {
                Matcher m = PKI_VARIABLE.matcher(Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1));
                while (m.find()) {
                    found.add(m.group());
                }
            }
        }
        assertThat(EnvironmentVariables.PKI).as("PKI_* names in */src/main").containsAll(found);
        assertThat(found).as("the fixed variables are read").containsAll(EnvironmentVariables.FIXED);
        // The settings' variables follow the one rule: section and key in upper snake case.
        assertThat(EnvironmentVariables.SETTINGS).contains("PKI_ACME_EAB_REQUIRED", "PKI_ACME_PORT",
                "PKI_ACME_HTTP01_PORT", "PKI_ACME_TLSALPN01_PORT", "PKI_ACME_DNS_SERVER", "PKI_ACME_HOSTS_FILE",
                "PKI_OCSP_VALIDITY", "PKI_OCSP_NONCE", "PKI_OCSP_INSTANCES", "PKI_OCSP_REFRESH_INTERVAL",
                "PKI_OCSP_SIGNER_MARGIN", "PKI_DATABASE_URL", "PKI_CRL_FULL_INTERVAL", "PKI_CA_API_HOST");
    }

    // ---- Dockerfile and entry point

    @Test
    void theImageRunsTheEntryPointWhichSetsSoftHsmConf() throws IOException {
        List<String> lines = Files.readAllLines(docker.resolve("Dockerfile"));
        String entrypoint = null;
        String copiedTo = null;
        for (String line : lines) {
            String l = line.strip();
            if (l.startsWith("ENTRYPOINT")) {
                JsonNode exec = new ObjectMapper().readTree(l.substring("ENTRYPOINT".length()).strip());
                entrypoint = exec.get(0).asText();
            }
            String[] w = l.split("\\s+");
            if (w.length == 3 && w[0].equals("COPY") && w[1].equals("docker/entrypoint.sh")) {
                copiedTo = w[2];
            }
        }
        assertThat(copiedTo).as("COPY docker/entrypoint.sh").isNotNull();
        assertThat(entrypoint).as("ENTRYPOINT is docker/entrypoint.sh").isEqualTo(copiedTo);
        String script = Files.readString(docker.resolve("entrypoint.sh"));
        assertThat(script).containsPattern("(?m)^\\s*export SOFTHSM2_CONF=").contains("org.medpki.ops.PkiMain \"$@\"");
        Matcher m = PKI_VARIABLE.matcher(script);
        while (m.find()) {
            assertThat(EnvironmentVariables.known(m.group())).as("entrypoint.sh: " + m.group()).isTrue();
        }
        assertThat(lines).anyMatch(l -> l.startsWith("ENV PKI_HOME=" + PKI_HOME_IN_IMAGE));
    }

    // ---- compose

    @Test
    void composeServicesRunPkiCommandsWithTheirOwnSettingsOnly() {
        Map<String, String> volumeRole = new HashMap<>();
        Set<String> services = new TreeSet<>();
        compose.get("services").fieldNames().forEachRemaining(services::add);
        Map<String, Integer> served = new LinkedHashMap<>();
        compose.get("services").properties().forEach(entry -> {
            String name = entry.getKey();
            JsonNode s = entry.getValue();
            for (String dependency : dependsOn(s)) {
                assertThat(services).as(name + " depends on " + dependency).contains(dependency);
            }
            Map<String, String> env = new LinkedHashMap<>();
            s.path("environment").properties().forEach(e -> env.put(e.getKey(), e.getValue().asText()));
            if (!isMedpki(s)) {
                env.forEach((k, v) -> {
                    noSecretIn(name + " " + k, v);
                    assertThat(k).as(name + ": a password as a value").doesNotEndWith("_PASSWORD");
                });
                return;
            }
            assertThat(s.has("entrypoint")).as(name + " keeps the image's entry point").isFalse();
            List<String> command = strings(s.get("command"));
            Role role = role(command);
            checkEnvironment("compose " + name, role, env);
            List<String> secrets = strings(s.get("secrets"));
            for (String secret : secrets) {
                assertThat(env.values()).as(name + " uses its secret " + secret + " through a *_FILE variable")
                        .contains("/run/secrets/" + secret);
            }
            List<String> volumes = strings(s.get("volumes"));
            if (serves(role)) {
                assertThat(volumes).as(name + ": only its own volume, as PKI_HOME").hasSize(1);
                String[] v = volumes.get(0).split(":");
                assertThat(v[1]).isEqualTo(PKI_HOME_IN_IMAGE);
                String before = volumeRole.putIfAbsent(v[0], role.name());
                assertThat(before == null || before.equals(role.name()))
                        .as("volume " + v[0] + " is shared by " + before + " and " + role.name()).isTrue();
                int port = port(role);
                served.put(name, port);
                JsonNode health = s.get("healthcheck");
                assertThat(health).as(name + " has a health check").isNotNull();
                List<String> test = strings(health.get("test"));
                assertThat(String.join(" ", test)).as(name + " checks /health").contains("/health");
                for (String word : test) {
                    if (word.matches("https?://.*")) {
                        URI u = URI.create(word);
                        assertThat(u.getPort()).as(name + " probes " + word).isEqualTo(port);
                        assertThat(u.getPath()).isEqualTo("/health");
                        if (Set.of("acme", "admin", "est").contains(role.name())) {
                            // Checked as a client would: the public name (NAME.DOMAIN off loopback), the root.
                            assertThat(u.getHost()).as(name + " probes its public host").isEqualTo(role.name() + "."
                                    + domain);
                            assertThat(test).as(name + " trusts the root").contains("--cacert",
                                    PKI_HOME_IN_IMAGE + "/pki/root-ca.pem");
                        }
                    }
                    Matcher resolve = Pattern.compile("^[a-z0-9.-]+:([0-9]+):[0-9.]+$").matcher(word);
                    if (resolve.matches()) {
                        assertThat(Integer.parseInt(resolve.group(1))).as(name + " --resolve " + word).isEqualTo(port);
                    }
                }
                for (String mapping : strings(s.get("ports"))) {
                    String[] parts = mapping.split(":");
                    assertThat(Integer.parseInt(parts[parts.length - 1])).as(name + " publishes " + mapping)
                            .isEqualTo(port);
                }
                for (String exposed : strings(s.get("expose"))) {
                    assertThat(Integer.parseInt(exposed)).as(name + " exposes " + exposed).isEqualTo(port);
                }
                assertThat(s.path("depends_on").isObject()).as(name + ": depends_on with conditions").isTrue();
                s.path("depends_on").properties().forEach(d -> assertThat(d.getValue().path("condition").asText())
                        .as(name + " -> " + d.getKey()).isIn("service_healthy", "service_completed_successfully",
                                "service_started"));
                assertThat(dependsOn(s)).as(name + " waits for the database").contains("postgres");
                if (!role.name().equals("ca")) {
                    assertThat(dependsOn(s)).as(name + " waits for the CA").contains("ca");
                }
            }
            if (role.name().equals("service")) {
                // service export NAME --out DIR: into the volume that NAME's containers use as PKI_HOME
                String exported = command.get(2);
                String out = command.get(command.indexOf("--out") + 1);
                assertThat(volumes).anyMatch(v -> v.endsWith(":" + out));
                assertThat(volumes).anyMatch(v -> v.endsWith(":" + PKI_HOME_IN_IMAGE));
                volumes.stream().filter(v -> v.endsWith(":" + out)).forEach(v ->
                        assertThat(volumeRole.getOrDefault(v.split(":")[0], exported)).isEqualTo(exported));
            }
        });
        // Every service is served, and the two OCSP instances on ports of their own.
        assertThat(served.keySet()).contains("ca", "acme", "ocsp-1", "ocsp-2", "crl", "admin");
        assertThat(new java.util.HashSet<>(served.values())).hasSize(served.size());
        // The exports wrote into the volumes the services use.
        compose.get("services").properties().forEach(entry -> {
            List<String> command = strings(entry.getValue().get("command"));
            if (isMedpki(entry.getValue()) && role(command).name().equals("service")) {
                String out = command.get(command.indexOf("--out") + 1);
                String volume = strings(entry.getValue().get("volumes")).stream().filter(v -> v.endsWith(":" + out))
                        .findFirst().orElseThrow().split(":")[0];
                assertThat(volumeRole).as("volume " + volume + " of " + entry.getKey()).containsEntry(volume,
                        command.get(2));
            }
        });
        // Every service 'pki service export' knows has its export, its volume and its container.
        assertThat(volumeRole.values()).containsExactlyInAnyOrderElementsOf(ServiceCommand.SERVICES);
    }

    private static List<String> dependsOn(JsonNode service) {
        JsonNode d = service.path("depends_on");
        List<String> out = new ArrayList<>();
        if (d.isArray()) {
            d.forEach(n -> out.add(n.asText()));
        } else {
            d.fieldNames().forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void pinsAndPasswordFilesGoOnlyWhereAllowedInCompose() {
        Map<String, Set<String>> given = new HashMap<>();
        compose.get("services").properties().forEach(entry -> {
            if (isMedpki(entry.getValue())) {
                String role = role(strings(entry.getValue().get("command"))).name();
                entry.getValue().path("environment").fieldNames().forEachRemaining(n ->
                        given.computeIfAbsent(n, k -> new TreeSet<>()).add(role));
            }
        });
        assertThat(given.get("PKI_TOKEN_PIN_FILE")).containsExactlyInAnyOrder("init", "ca");
        assertThat(given.get("PKI_OCSP_TOKEN_PIN_FILE")).containsExactlyInAnyOrder("init", "ocsp");
        assertThat(given.get("PKI_DATABASE_PASSWORD_FILE")).containsExactly("init");
        // The secrets are files; the postgres image too reads its password from one.
        assertThat(compose.get("secrets").properties()).allSatisfy(e ->
                assertThat(e.getValue().path("file").asText()).startsWith("./secrets/"));
        assertThat(compose.at("/services/postgres/environment").has("POSTGRES_PASSWORD")).isFalse();
        assertThat(compose.at("/services/postgres/environment/POSTGRES_PASSWORD_FILE").asText()).startsWith("/run/secrets/");
    }

    // ---- Kubernetes

    @Test
    void kubernetesManifestsRunPkiCommandsWithTheirOwnSettingsOnly() throws IOException {
        Map<String, Integer> deploymentPorts = new HashMap<>();
        Map<String, Integer> replicas = new HashMap<>();
        List<JsonNode> services = new ArrayList<>();
        Set<String> kinds = new TreeSet<>();
        for (Path file : kubernetesFiles()) {
            for (JsonNode doc : documents(file)) {
                String kind = doc.path("kind").asText();
                kinds.add(kind);
                assertThat(kind).as(file + ": secrets are referenced, not included").isNotEqualTo("Secret");
                if (!kind.equals("Namespace")) {
                    assertThat(doc.at("/metadata/namespace").asText()).as(file + " " + kind).isEqualTo("medpki");
                }
                if (kind.equals("Service")) {
                    services.add(doc);
                }
                if (!kind.equals("Deployment")) {
                    continue;
                }
                String name = doc.at("/metadata/name").asText();
                JsonNode pod = doc.at("/spec/template/spec");
                for (JsonNode init : pod.path("initContainers")) {
                    assertThat(init.has("env")).as(name + " init container gets no environment").isFalse();
                    assertThat(init.path("volumeMounts").toString()).doesNotContain("/run/secrets");
                }
                assertThat(pod.path("containers")).hasSize(1);
                JsonNode c = pod.path("containers").get(0);
                assertThat(isMedpki(c)).isTrue();
                assertThat(c.has("command")).as(name + " keeps the image's entry point").isFalse();
                Role role = role(strings(c.get("args")));
                assertThat(serves(role)).as(name + " serves").isTrue();
                Map<String, String> env = new LinkedHashMap<>();
                c.path("env").forEach(e -> {
                    assertThat(e.has("valueFrom")).as(name + " " + e.path("name").asText()).isFalse();
                    env.put(e.path("name").asText(), e.path("value").asText());
                });
                checkEnvironment("kubernetes " + name, role, env);
                int port = port(role);
                deploymentPorts.put(doc.at("/spec/template/metadata/labels/app.kubernetes.io~1component").asText(), port);
                replicas.put(role.name(), doc.at("/spec/replicas").asInt());
                assertThat(c.path("ports")).hasSize(1);
                assertThat(c.at("/ports/0/containerPort").asInt()).as(name + " containerPort").isEqualTo(port);
                for (String probe : List.of("readinessProbe", "livenessProbe")) {
                    assertThat(c.at("/" + probe + "/httpGet/path").asText()).as(name + " " + probe).isEqualTo("/health");
                    assertThat(c.at("/" + probe + "/httpGet/port").asInt()).as(name + " " + probe).isEqualTo(port);
                    assertThat(c.at("/" + probe + "/httpGet/scheme").asText("HTTP"))
                            .isEqualTo(Set.of("ca", "acme", "admin", "est").contains(role.name()) ? "HTTPS" : "HTTP");
                }
                // PKI_HOME is an emptyDir filled by the init container from the service's export Secret
                String home = env.getOrDefault("PKI_HOME", PKI_HOME_IN_IMAGE);
                String secret = null;
                for (JsonNode v : pod.path("volumes")) {
                    if (v.has("secret") && v.at("/secret/secretName").asText().endsWith("-home")) {
                        secret = v.at("/secret/secretName").asText();
                    }
                }
                assertThat(secret).as(name).isEqualTo("medpki-" + role.name() + "-home");
                assertThat(pod.path("volumes").toString()).contains("emptyDir");
                assertThat(c.path("volumeMounts").toString()).satisfiesAnyOf(
                        s -> assertThat(home).startsWith(mountOf(c, "home") + "/"),
                        s -> assertThat(home).isEqualTo(mountOf(c, "home")));
            }
        }
        assertThat(kinds).contains("Namespace", "Deployment", "Service");
        assertThat(replicas).containsEntry("ca", 1).containsEntry("acme", 2).containsEntry("ocsp", 2)
                .containsKey("crl").containsEntry("admin", 1);
        assertThat(replicas.keySet()).as("a Deployment per exported service")
                .containsExactlyInAnyOrderElementsOf(ServiceCommand.SERVICES);
        for (JsonNode s : services) {
            String component = s.at("/spec/selector/app.kubernetes.io~1component").asText();
            assertThat(deploymentPorts).as("Service " + s.at("/metadata/name").asText() + " selects a Deployment")
                    .containsKey(component);
            for (JsonNode p : s.at("/spec/ports")) {
                assertThat(p.path("targetPort").asInt()).as("Service " + component).isEqualTo(deploymentPorts.get(component));
            }
        }
        // The CA is reached by its Service's name, which 'pki init --ca-api-host' gave to medpki.yaml.
        List<String> init = new ArrayList<>();
        compose.get("services").properties().forEach(e -> {
            List<String> c = strings(e.getValue().get("command"));
            if (!c.isEmpty() && c.get(0).equals("init")) {
                init.addAll(c);
            }
        });
        assertThat(init.get(init.indexOf("--ca-api-host") + 1)).isEqualTo("ca");
        assertThat(services).anyMatch(s -> s.at("/metadata/name").asText().equals("ca")
                && s.at("/spec/ports/0/port").asInt() == caApiPort);
    }

    private static String mountOf(JsonNode container, String volume) {
        for (JsonNode m : container.path("volumeMounts")) {
            if (m.path("name").asText().equals(volume)) {
                return m.path("mountPath").asText();
            }
        }
        throw new AssertionError("no mount of volume " + volume);
    }

    @Test
    void pinsGoOnlyToTheirPodsInKubernetes() throws IOException {
        Map<String, Set<String>> given = new HashMap<>();
        for (Path file : kubernetesFiles()) {
            for (JsonNode doc : documents(file)) {
                if (doc.path("kind").asText().equals("Deployment")) {
                    JsonNode c = doc.at("/spec/template/spec/containers/0");
                    String role = role(strings(c.get("args"))).name();
                    c.path("env").forEach(e -> given.computeIfAbsent(e.path("name").asText(), k -> new TreeSet<>())
                            .add(role));
                    String volumes = doc.at("/spec/template/spec/volumes").toString();
                    assertThat(volumes.contains("medpki-ca-token-pin")).as(role).isEqualTo(role.equals("ca"));
                    assertThat(volumes.contains("medpki-ocsp-token-pin")).as(role).isEqualTo(role.equals("ocsp"));
                }
            }
        }
        assertThat(given.get("PKI_TOKEN_PIN_FILE")).containsExactly("ca");
        assertThat(given.get("PKI_OCSP_TOKEN_PIN_FILE")).containsExactly("ocsp");
        assertThat(given).doesNotContainKey("PKI_DATABASE_PASSWORD_FILE");
    }
}
