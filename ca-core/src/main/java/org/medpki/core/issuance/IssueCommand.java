package org.medpki.core.issuance;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.medpki.core.policy.AssignedIdentity;
import org.bouncycastle.asn1.x509.GeneralName;

/**
 * A request to issue one certificate. {@code csr} is DER or PEM. {@code validity} null means the
 * profile's default. {@code expectedNames}, when not null, must equal the CSR's names exactly (the
 * names an ACME order authorised). {@code optionalUsages} names optional EKUs of the profile to
 * include (for example "clientAuth" on tls-server for mutual TLS). {@code namesOnly}: the expected
 * names are all that was validated (ACME), so the subject keeps nothing but a CN that is one of
 * them. {@code assigned}, when not null, is the identity the certificate carries whatever the
 * CSR asks ({@link AssignedIdentity}); it excludes {@code expectedNames}.
 */
public record IssueCommand(String profile, byte[] csr, String requester, Duration validity,
                           List<GeneralName> expectedNames, Set<String> optionalUsages, boolean namesOnly,
                           AssignedIdentity assigned) {
    public IssueCommand {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(csr, "csr");
        Objects.requireNonNull(requester, "requester");
        if (validity != null && (validity.isNegative() || validity.isZero())) {
            throw new IllegalArgumentException("validity must be positive");
        }
        csr = csr.clone();
        expectedNames = expectedNames == null ? null : List.copyOf(expectedNames);
        optionalUsages = optionalUsages == null ? Set.of() : Set.copyOf(optionalUsages);
        if (namesOnly && expectedNames == null) {
            throw new IllegalArgumentException("namesOnly needs the expected names");
        }
        if (assigned != null && expectedNames != null) {
            throw new IllegalArgumentException("an assigned identity excludes expected names");
        }
    }

    public IssueCommand(String profile, byte[] csr, String requester, Duration validity,
                        List<GeneralName> expectedNames, Set<String> optionalUsages, boolean namesOnly) {
        this(profile, csr, requester, validity, expectedNames, optionalUsages, namesOnly, null);
    }

    /** A request whose subject is the profile's business (not only validated names). */
    public IssueCommand(String profile, byte[] csr, String requester, Duration validity,
                        List<GeneralName> expectedNames, Set<String> optionalUsages) {
        this(profile, csr, requester, validity, expectedNames, optionalUsages, false);
    }

    public static IssueCommand of(String profile, byte[] csr, String requester) {
        return new IssueCommand(profile, csr, requester, null, null, Set.of());
    }

    @Override
    public byte[] csr() {
        return csr.clone();
    }
}
