package org.medpki.ops.cli;

import org.medpki.ops.install.AcmeSettings;
import org.medpki.ops.install.AdminSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x509.GeneralName;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.ServiceCredentials;

/**
 * The names under which services serve TLS with their own service certificate: the CA API (its
 * host), ACME, the admin API and EST (their public hosts, and 127.0.0.1 for probes on the host itself).
 */
final class ServiceNames {
    private static final GeneralName LOOPBACK = ServiceCredentials.endpointNames("127.0.0.1", "").get(0);

    private ServiceNames() {
    }

    static Map<String, List<GeneralName>> of(PkiContext context) {
        Map<String, List<GeneralName>> servers = new LinkedHashMap<>();
        String domain = context.config().domain();
        servers.put(ServiceCredentials.CA, ServiceCredentials.endpointNames(context.config().caApiOrDefault().host(),
                domain));
        List<GeneralName> acme = new ArrayList<>(ServiceCredentials.endpointNames(
                AcmeSettings.config(context.settings()).publicHost(), domain));
        if (!acme.contains(LOOPBACK)) {
            acme.add(LOOPBACK);
        }
        servers.put("acme", List.copyOf(acme));
        List<GeneralName> admin = new ArrayList<>(ServiceCredentials.endpointNames(
                AdminSettings.config(context.settings()).publicHost(), domain));
        if (!admin.contains(LOOPBACK)) {
            admin.add(LOOPBACK);
        }
        servers.put(ServiceCredentials.ADMIN, List.copyOf(admin));
        // EST serves TLS to devices under its own name.
        List<GeneralName> est = new ArrayList<>(ServiceCredentials.endpointNames(
                org.medpki.ops.install.DeviceSettings.endpoint(context.settings(), "est").publicHost(), domain));
        if (!est.contains(LOOPBACK)) {
            est.add(LOOPBACK);
        }
        servers.put("est", List.copyOf(est));
        return servers;
    }
}
