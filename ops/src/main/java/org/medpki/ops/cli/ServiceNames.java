package org.medpki.ops.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x509.GeneralName;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.ServiceCredentials;

/**
 * The names under which services serve TLS with their own service certificate: the CA API (its
 * host) and ACME (its public host, and 127.0.0.1 for probes on the host itself).
 */
final class ServiceNames {
    private static final GeneralName LOOPBACK = ServiceCredentials.nameFor("127.0.0.1");

    private ServiceNames() {
    }

    static Map<String, List<GeneralName>> of(PkiContext context) {
        Map<String, List<GeneralName>> servers = new LinkedHashMap<>();
        servers.put(ServiceCredentials.CA, List.of(ServiceCredentials.nameFor(context.config().caApiOrDefault().host())));
        List<GeneralName> acme = new ArrayList<>();
        acme.add(ServiceCredentials.nameFor(AcmeSettings.config(context.home(), context.config()).publicHost()));
        if (!acme.contains(LOOPBACK)) {
            acme.add(LOOPBACK);
        }
        servers.put("acme", List.copyOf(acme));
        return servers;
    }
}
