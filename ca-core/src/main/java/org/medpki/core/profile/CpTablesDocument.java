package org.medpki.core.profile;

import java.util.List;

/** The YAML shape of policies/cp-tables.yaml, read strictly (unknown keys rejected). */
record CpTablesDocument(String policyArc, String cpOid, CaHierarchy caHierarchy, List<Type> certificateTypes,
                        ServiceLevels serviceLevels) {

    record CaHierarchy(Validity root, List<IssuingCa> issuingCas, Validity ocspSigner, Validity auditSigner) {
    }

    record Validity(Integer validityDays) {
    }

    record IssuingCa(String name, Integer validityDays) {
    }

    record Type(String name, String policyOid, String issuer, Integer maxValidityDays, ProfileDocument.Keys keys,
                List<String> keyUsage, List<String> ekuRequired, List<String> ekuOptional, List<String> sanTypes,
                Boolean dnsWildcards, List<String> subjectAttributes, List<String> sanRequired,
                Boolean noRevAvail) {
    }

    record ServiceLevels(String revocationToOcsp, String revocationToCrl, String ocspMaxAge, String crlMaxAge) {
    }
}
