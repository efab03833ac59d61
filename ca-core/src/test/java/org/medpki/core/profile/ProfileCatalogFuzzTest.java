package org.medpki.core.profile;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.testpki.TestProfiles;

/**
 * Fuzzes the profile YAML loader: a file's bytes in, a {@link CertificateProfile} or a
 * {@link PkiException} CONFIGURATION out, never another exception. The file is named after the
 * input's top-level {@code name:} when it has a plain one, so that valid seeds load. Seeds:
 * ProfileCatalogFuzzTestInputs/profileYaml/.
 */
class ProfileCatalogFuzzTest {
    private static final Pattern NAME = Pattern.compile("(?m)^name:[ \\t]*([A-Za-z0-9-]{1,40})[ \\t]*$");
    private static final Path DIR;

    static {
        try {
            DIR = Files.createTempDirectory("medpki-profile-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "12s")
    void profileYaml(byte[] data) throws IOException {
        Matcher m = NAME.matcher(new String(data, StandardCharsets.ISO_8859_1));
        Path file = DIR.resolve((m.find() ? m.group(1) : "fuzz") + ".yaml");
        Files.write(file, data);
        try {
            CertificateProfile p = ProfileCatalog.loadFile(file, TestProfiles.VARIABLES);
            if (p.name() == null) {
                throw new AssertionError("a profile without a name");
            }
        } catch (PkiException e) {
            if (e.kind() != ErrorKind.CONFIGURATION) {
                throw new AssertionError("refusal of kind " + e.kind(), e);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @AfterAll
    static void removeDirectory() throws IOException {
        Files.deleteIfExists(DIR);
    }
}
