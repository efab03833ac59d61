package org.medpki.ops;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The class path and JVM options of the 'pki' processes one test JVM starts: one class-data archive
 * (CDS) that all of them map. Most of a short command's time on a small machine is its JVM loading
 * and verifying the same few thousand classes, which load several times faster mapped from an
 * archive. The archive is dumped once, at the exit of a 'pki init' of a throw-away installation (the
 * key ceremony, the token, the database client and the certificate code); 'pki up' passes the
 * options on to the services it starts. CDS takes classes only from JAR files and checks the class
 * path against the one it was dumped with, so the directories of the test class path
 * (target/classes) are packed into JARs first. The code run is the same; when the archive cannot be
 * made, the processes start without it; MEDPKI_TEST_CDS=0 starts them without it and on the test
 * class path as it is.
 */
record SharedClasses(String classPath, List<String> options) {
    /** The JVM says nothing of the archive on the commands' stdout, whatever becomes of it. */
    private static final List<String> QUIET = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off", "-Xlog:aot=off");

    static SharedClasses make() {
        String testClassPath = System.getProperty("java.class.path");
        if ("0".equals(System.getenv("MEDPKI_TEST_CDS"))) {
            // For comparing the suite's times with and without the archive.
            return new SharedClasses(testClassPath, List.of());
        }
        Path dir;
        String classPath;
        try {
            dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "pki-classes-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
            classPath = jarsOnly(testClassPath, dir);
        } catch (IOException e) {
            System.err.println("pki processes start without a class-data archive: " + e);
            return new SharedClasses(testClassPath, List.of());
        }
        Path archive = dir.resolve("pki.jsa");
        List<String> dumping = new ArrayList<>(QUIET);
        dumping.add("-XX:ArchiveClassesAtExit=" + archive);
        try {
            PkiProcess training = new PkiProcess(dir.resolve("home"), TestEnvironment.newDatabase());
            PkiProcess.Started init = training.start(classPath, dumping, Map.of(), Set.of(), "init", "--token-label",
                    "classes");
            if (!init.process().waitFor(180, TimeUnit.SECONDS)) {
                init.process().destroyForcibly();
            } else if (init.process().exitValue() == 0 && Files.size(archive) > 0) {
                List<String> options = new ArrayList<>(QUIET);
                options.add("-XX:SharedArchiveFile=" + archive);
                return new SharedClasses(classPath, List.copyOf(options));
            }
            System.err.println("pki processes start without a class-data archive: 'pki init' with "
                    + "-XX:ArchiveClassesAtExit did not make one:\n" + Files.readString(init.err()));
        } catch (Exception e) {
            System.err.println("pki processes start without a class-data archive: " + e);
        }
        return new SharedClasses(classPath, List.of());
    }

    /** {@code classPath} with each directory replaced by a JAR of its files (in {@code dir}), in order. */
    private static String jarsOnly(String classPath, Path dir) throws IOException {
        List<String> entries = new ArrayList<>();
        int jars = 0;
        for (String entry : classPath.split(File.pathSeparator)) {
            Path path = entry.isEmpty() ? null : Path.of(entry);
            if (path != null && Files.isDirectory(path)) {
                Path jar = dir.resolve("classes-" + jars++ + ".jar");
                jar(path, jar);
                entries.add(jar.toString());
            } else if (path != null && Files.isRegularFile(path)) {
                entries.add(entry);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** A JAR of the directory's files and subdirectories, as the jar tool would make it. */
    private static void jar(Path from, Path jar) throws IOException {
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out);
             Stream<Path> files = Files.walk(from)) {
            for (Path f : files.sorted().toList()) {
                if (f.equals(from)) {
                    continue;
                }
                String name = from.relativize(f).toString().replace(File.separatorChar, '/');
                if (Files.isDirectory(f)) {
                    j.putNextEntry(new JarEntry(name + "/"));
                } else {
                    j.putNextEntry(new JarEntry(name));
                    Files.copy(f, j);
                }
                j.closeEntry();
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // What is left is in target/, which the next clean removes.
        }
    }
}
