package org.medpki.core.policy;

import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;

/**
 * The identity a certificate must carry whatever the request says, because the caller took it
 * from a registry (a device's serial number and names from the device registry): the
 * certificate's subject is {@code subject} and its SANs are {@code names}. The request may leave
 * its names out or ask for some of them; a request naming anything else, or another serialNumber
 * in its subject, asks for another identity and is refused. The profile's checks still apply to
 * the assigned identity.
 */
public record AssignedIdentity(X500Name subject, List<GeneralName> names) {
    public AssignedIdentity {
        Objects.requireNonNull(subject, "subject");
        names = names == null ? List.of() : List.copyOf(names);
    }
}
