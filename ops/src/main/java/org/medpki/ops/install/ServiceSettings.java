package org.medpki.ops.install;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.bouncycastle.asn1.x509.GeneralName;

/**
 * What the ceremony needs to know of the services' own settings (read by the command line from
 * the acme section and the CA API settings): the profile ACME issues under, which the CA grants ACME and
 * no other; and the names each service that serves TLS with its service certificate serves under.
 */
public record ServiceSettings(String acmeProfile, Function<PkiContext, Map<String, List<GeneralName>>> servers) {
}
