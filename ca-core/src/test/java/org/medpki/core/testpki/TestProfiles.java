package org.medpki.core.testpki;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.medpki.core.profile.ProfileCatalog;

/** The project's real profile files, loaded with test variables. */
public final class TestProfiles {
    public static final Map<String, String> VARIABLES = Map.of(
            "domain", "hospital.test",
            "ocspUrl", "http://ocsp.hospital.test",
            "crlBaseUrl", "http://crl.hospital.test",
            "caIssuersBaseUrl", "http://pki.hospital.test/certs");

    private TestProfiles() {
    }

    /** policies/profiles of the repository; Maven runs the tests in the module directory. */
    public static Path dir() {
        Path dir = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("../policies/profiles").normalize();
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("profile directory not found at " + dir + " (run the tests from ca-core/)");
        }
        return dir;
    }

    public static ProfileCatalog catalog() {
        return ProfileCatalog.load(dir(), VARIABLES);
    }
}
