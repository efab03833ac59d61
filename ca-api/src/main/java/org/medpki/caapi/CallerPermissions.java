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
 * @param revokeCas      whether it may revoke an issuing CA or OCSP signer certificate (the admin
 *                       API, after the approvals of its dual control)
 * @param destroyKeys    whether it may have a retired CA key destroyed in the CA token (the admin
 *                       API, after the approvals of its dual control)
 * @param rolloverCas    whether it may have an issuing CA rolled over to a new key (the admin API,
 *                       after the approvals of its dual control)
 */
public record CallerPermissions(@JsonProperty("issue") List<String> issue,
                                @JsonProperty("revokeOwn") boolean revokeOwn,
                                @JsonProperty("crls") boolean crls,
                                @JsonProperty("ocspSigners") boolean ocspSigners,
                                @JsonProperty("revokeAny") boolean revokeAny,
                                @JsonProperty("revokeCas") boolean revokeCas,
                                @JsonProperty("destroyKeys") boolean destroyKeys,
                                @JsonProperty("rolloverCas") boolean rolloverCas) {
    public CallerPermissions {
        issue = issue == null ? List.of() : List.copyOf(issue);
    }

    /** A row without CA revocation. */
    public CallerPermissions(List<String> issue, boolean revokeOwn, boolean crls, boolean ocspSigners,
                             boolean revokeAny) {
        this(issue, revokeOwn, crls, ocspSigners, revokeAny, false, false, false);
    }

    /** A row without key destruction or CA rollover. */
    public CallerPermissions(List<String> issue, boolean revokeOwn, boolean crls, boolean ocspSigners,
                             boolean revokeAny, boolean revokeCas) {
        this(issue, revokeOwn, crls, ocspSigners, revokeAny, revokeCas, false, false);
    }

    public static CallerPermissions none() {
        return new CallerPermissions(List.of(), false, false, false, false, false, false, false);
    }
}
