package org.medpki.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the 'pki' command line in its own JVM, as an operator would, against one installation:
 * its own PKI_HOME, its own SoftHSM2 token store, and a database of its own.
 */
final class PkiProcess {
    private final Path home;
    private final Map<String, String> env = new HashMap<>();

    PkiProcess(Path home, String databaseUrl) throws IOException {
        this.home = home;
        Files.createDirectories(home.resolve("tokens"));
        Path conf = home.resolve("softhsm2.conf");
        Files.writeString(conf, "directories.tokendir = " + home.resolve("tokens")
                + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
        env.put("PKI_HOME", home.toString());
        env.put("SOFTHSM2_CONF", conf.toString());
        env.put("PKI_TOKEN_PIN", TestEnvironment.pin());
        // The admin API's default port (repository port + 365) may be any process's ephemeral port
        // on a busy test machine: each installation gets a free one of its own.
        env.put("PKI_ADMIN_PORT", Integer.toString(AcmeLab.freePort(1)));
        if (databaseUrl != null) {
            env.put("PKI_DATABASE_URL", databaseUrl);
        }
    }

    Path home() {
        return home;
    }

    Map<String, String> env() {
        return env;
    }

    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    Result run(String... args) throws IOException, InterruptedException {
        return run(Map.of(), args);
    }

    Result run(Map<String, String> extraEnv, String... args) throws IOException, InterruptedException {
        Started started = start(extraEnv, args);
        Process p = started.process();
        Path out = started.out();
        Path err = started.err();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("pki " + String.join(" ", args) + " did not finish in 180 s");
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /**
     * Runs independent commands side by side (each a process of its own, as {@link #run(String...)}
     * does; a few at a time) and returns their results in the order given: for commands that change
     * nothing, such as refusals, whose time is mostly their JVM starting.
     */
    List<Result> runAll(String[]... commands) throws IOException, InterruptedException {
        List<Result> results = new ArrayList<>();
        for (int from = 0; from < commands.length; from += SIDE_BY_SIDE) {
            List<Started> started = new ArrayList<>();
            int to = Math.min(commands.length, from + SIDE_BY_SIDE);
            for (int i = from; i < to; i++) {
                started.add(start(Map.of(), commands[i]));
            }
            for (int i = from; i < to; i++) {
                Started s = started.get(i - from);
                if (!s.process().waitFor(180, TimeUnit.SECONDS)) {
                    started.forEach(o -> o.process().destroyForcibly());
                    throw new AssertionError("pki " + String.join(" ", commands[i]) + " did not finish in 180 s");
                }
                results.add(new Result(s.process().exitValue(), Files.readString(s.out()), Files.readString(s.err())));
            }
        }
        return results;
    }

    /** How many of {@link #runAll}'s commands run at once: more only share the same few cores. */
    private static final int SIDE_BY_SIDE = 4;

    /** A started command and the files its stdout and stderr go to. */
    record Started(Process process, Path out, Path err) {
    }

    /**
     * The JVM options of every 'pki' process a test starts ('pki up' passes its own to the services it
     * starts). A test's commands and services live seconds and handle a few requests: the second JIT
     * tier (C2) never pays back the CPU it takes to compile, and on a small test machine that CPU is
     * what every JVM's start waits for. The code run is the same; only the compiler tier differs.
     */
    static final List<String> JVM_OPTIONS = List.of("--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC");

    private static final java.util.concurrent.atomic.AtomicInteger RUNS = new java.util.concurrent.atomic.AtomicInteger();

    /** The class path and the class-data archive options of every 'pki' process; made at first use. */
    private static SharedClasses sharedClasses;

    private static synchronized SharedClasses sharedClasses() {
        if (sharedClasses == null) {
            sharedClasses = SharedClasses.make();
        }
        return sharedClasses;
    }

    /** Starts the command; stdout and stderr go to files of their own in the home (never inherited). */
    Started start(Map<String, String> extraEnv, String... args) throws IOException {
        return start(extraEnv, java.util.Set.of(), args);
    }

    /** As {@link #start(Map, String...)}, without the named variables of this installation's environment. */
    Started start(Map<String, String> extraEnv, java.util.Set<String> without, String... args) throws IOException {
        SharedClasses shared = sharedClasses();
        return start(shared.classPath(), shared.options(), extraEnv, without, args);
    }

    /** As above, on {@code classPath} with {@code options} after {@link #JVM_OPTIONS}. */
    Started start(String classPath, List<String> options, Map<String, String> extraEnv, java.util.Set<String> without,
            String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.addAll(options);
        command.add("-Dmedpki.policies=" + TestEnvironment.policies());
        command.add("-cp");
        command.add(classPath);
        command.add(PkiMain.class.getName());
        command.addAll(List.of(args));
        int run = RUNS.incrementAndGet();
        Path out = home.resolve("cmd-" + run + ".out");
        Path err = home.resolve("cmd-" + run + ".err");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("PKI_DATABASE_URL");
        pb.environment().remove("PKI_TOKEN_PIN_FILE");
        pb.environment().putAll(env);
        pb.environment().putAll(extraEnv);
        without.forEach(pb.environment()::remove);
        return new Started(pb.start(), out, err);
    }

    /**
     * Runs 'pki ARGS' inside the test's JVM through the same entry point as {@code main}, with its
     * stdout and stderr captured, and the test JVM's environment (not this installation's: only for
     * commands that read none of it, such as the admin API's client commands given their options).
     * For tests whose subject is the command's answer rather than the process around it.
     */
    static synchronized Result inProcess(String... args) {
        java.io.PrintStream out = System.out;
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream stdout = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream stderr = new java.io.ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new java.io.PrintStream(stdout, true, StandardCharsets.UTF_8));
            System.setErr(new java.io.PrintStream(stderr, true, StandardCharsets.UTF_8));
            exit = PkiMain.execute(args);
        } finally {
            System.out.flush();
            System.err.flush();
            System.setOut(out);
            System.setErr(err);
        }
        return new Result(exit, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
    }

    /** Runs an external tool (openssl, pkcs11-tool) and returns its combined output. */
    static Result tool(Map<String, String> env, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(false);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /**
     * pkcs11-tool --list-objects --type privkey on the token labelled exactly {@code tokenLabel},
     * logged in with {@code pin}. The slot is chosen by its id: pkcs11-tool's own --token-label
     * takes the first token whose label starts with the one given ('medpki' would pick 'medpki-ocsp').
     */
    static Result privateKeyObjects(Map<String, String> env, String tokenLabel, String pin)
            throws IOException, InterruptedException {
        Result slots = tool(env, "pkcs11-tool", "--module", TestEnvironment.module(), "--list-slots");
        if (slots.exit() != 0) {
            return slots;
        }
        String slot = null;
        String current = null;
        for (String line : slots.out().split("\n")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^Slot \\d+ \\((0x[0-9a-fA-F]+)\\)").matcher(line);
            if (m.find()) {
                current = m.group(1);
            } else if (line.trim().startsWith("token label") && line.substring(line.indexOf(':') + 1).trim()
                    .equals(tokenLabel)) {
                slot = current;
            }
        }
        if (slot == null) {
            throw new AssertionError("no token labelled '" + tokenLabel + "':\n" + slots.out());
        }
        return tool(env, "pkcs11-tool", "--module", TestEnvironment.module(), "--slot", slot, "--login", "--pin", pin,
                "--list-objects", "--type", "privkey");
    }
}
