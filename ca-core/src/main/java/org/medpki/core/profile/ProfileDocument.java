package org.medpki.core.profile;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The YAML shape of a profile file, read strictly (unknown keys rejected) before it is checked. */
record ProfileDocument(String name, String description, String issuer, String policyOid, Validity validity,
                       Keys keys, List<String> keyUsage, ExtendedKeyUsage extendedKeyUsage, Subject subject,
                       SubjectAltNames subjectAltNames, String crlDistributionPoint, String ocspUrl,
                       String caIssuersUrl, Boolean noRevAvail) {

    record Validity(@JsonProperty("default") String defaultValidity, String max) {
    }

    record Keys(Integer rsaMinBits, List<String> ecCurves, Boolean ed25519) {
    }

    record ExtendedKeyUsage(List<String> required, List<String> optional) {
    }

    record Subject(List<String> allowed, List<String> required, String commonName) {
    }

    record SubjectAltNames(Integer minimum, List<String> dns, Boolean dnsWildcards, List<String> ip,
                           List<String> email, List<String> uri, List<String> required) {
    }
}
