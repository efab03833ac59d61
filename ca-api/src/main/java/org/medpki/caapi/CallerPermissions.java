package org.medpki.caapi;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What one calling service may ask of the CA (its row in the authorisation table). Everything
 * not granted here is refused and audited. A caller always may renew its own service certificate.
 *
 * @param issue          profiles it may have certificates issued under
 * @param revokeOwn      whether it may revoke the certificates it had issued (their requester is
 *                       "{caller}:...")
 * @param crls           whether it may have CRLs made and signed
 * @param ocspSigners    whether it may have delegated OCSP-signing keys certified
 * @param revokeAny      whether it may revoke any end-entity certificate (the admin API, which
 *                       checks its administrators' roles and approvals before it asks)
 */
public record CallerPermissions(@JsonProperty("issue") List<String> issue,
                                @JsonProperty("revokeOwn") boolean revokeOwn,
                                @JsonProperty("crls") boolean crls,
                                @JsonProperty("ocspSigners") boolean ocspSigners,
                                @JsonProperty("revokeAny") boolean revokeAny) {
    public CallerPermissions {
        issue = issue == null ? List.of() : List.copyOf(issue);
    }

    public static CallerPermissions none() {
        return new CallerPermissions(List.of(), false, false, false, false);
    }
}
