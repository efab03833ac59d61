package org.medpki.ops.install;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.bouncycastle.asn1.x509.GeneralName;

/**
 * What the ceremony needs to know of the services' own settings (read by the command line from
 * the acme section and the CA API settings): the profiles ACME offers, which the CA grants ACME and
 * no others (those of them the installation has a profile file for); the profiles devices may be
 * registered under (devices.profiles), which it grants the enrollment front ends; and the names each service
 * that serves TLS with its service certificate serves under.
 */
public record ServiceSettings(List<String> acmeProfiles, List<String> deviceProfiles,
                              Function<PkiContext, Map<String, List<GeneralName>>> servers) {
}
