package org.medpki.core.policy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Set;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.profile.CertificateProfile;
import org.medpki.core.profile.ProfileCatalog;
import org.medpki.core.testpki.TestProfiles;

/**
 * Fuzzes PKCS#10 parsing and checking under every profile of policies/profiles: bytes in, a
 * {@link ValidatedRequest} or a {@link PkiException} of a request kind out. Anything else (another
 * exception, INTERNAL) is a finding. Seeds: RequestValidatorFuzzTestInputs/csr/.
 */
class RequestValidatorFuzzTest {
    private static final ProfileCatalog PROFILES = TestProfiles.catalog();
    private static final Set<ErrorKind> REFUSALS = Set.of(ErrorKind.MALFORMED, ErrorKind.BAD_CSR,
            ErrorKind.BAD_PUBLIC_KEY, ErrorKind.BAD_SIGNATURE_ALGORITHM, ErrorKind.REJECTED_IDENTIFIER);
    private final RequestValidator validator = new RequestValidator();

    @FuzzTest(maxDuration = "15s")
    void csr(byte[] data) {
        for (CertificateProfile profile : PROFILES.all()) {
            try {
                ValidatedRequest v = validator.validate(data, profile);
                if (v.publicKey() == null) {
                    throw new AssertionError("a validated request without a key");
                }
            } catch (PkiException e) {
                if (!REFUSALS.contains(e.kind())) {
                    throw new AssertionError("refusal of kind " + e.kind() + " under " + profile.name(), e);
                }
            }
        }
    }
}
