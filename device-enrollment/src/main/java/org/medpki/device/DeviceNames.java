package org.medpki.device;

import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x509.GeneralName;
import org.medpki.core.error.PkiException;
import org.medpki.core.policy.NamePolicy;
import org.medpki.core.profile.CertificateProfile;

/**
 * What the registry accepts as a device's URI and profile (the CHECKs of V58), and whether a
 * profile can issue to a device with that URI, checked when a device is registered (command line
 * and admin API) so that a registration the CA would refuse at enrollment is refused at once.
 */
public final class DeviceNames {
    /** The URI forms a device may have: a UUID URN, an RFC 9039 device URN, an https URL. */
    public static final List<String> URI_PREFIXES = List.of("urn:uuid:", "urn:dev:", "https://");
    /** A profile's name as the registry keeps it. */
    public static final Pattern PROFILE = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    public static final int MAX_URI = 255;

    private DeviceNames() {
    }

    /** Why {@code uri} cannot be a device's URI, or null when it can. */
    public static String uriProblem(String uri) {
        if (uri.isEmpty() || uri.length() > MAX_URI) {
            return "must be 1 to " + MAX_URI + " characters";
        }
        // No spaces or control characters: the URI goes into a certificate (IA5String) and log lines.
        if (uri.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f)) {
            return "must be printable ASCII without spaces";
        }
        if (URI_PREFIXES.stream().noneMatch(uri::startsWith)) {
            return "must start with " + String.join(", ", URI_PREFIXES);
        }
        return null;
    }

    /**
     * Why {@code profile} cannot issue to a device with {@code uri} (null: none), or null when it
     * can: a profile that needs a subjectAltName needs the URI (the device's only name), and the
     * URI must be one the profile allows (its uri prefixes).
     */
    public static String profileProblem(CertificateProfile profile, String uri) {
        if (uri == null) {
            return profile.subjectAltNames().minimum() > 0 ? "profile " + profile.name() + " needs at least "
                    + profile.subjectAltNames().minimum() + " subject alternative name: give the device a URI" : null;
        }
        try {
            NamePolicy.check(new GeneralName(GeneralName.uniformResourceIdentifier, uri), profile.subjectAltNames(),
                    profile.name());
            return null;
        } catch (PkiException e) {
            return e.getMessage();
        }
    }
}
