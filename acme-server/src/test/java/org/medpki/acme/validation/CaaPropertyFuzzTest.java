package org.medpki.acme.validation;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes CAA record handling (RFC 8659): RDATA to {@link CaaProperty}, the issuer-domain-name of a
 * value, and the decision over a record set. Documented outcomes only: a property or null, a
 * refusal text or null; never an exception. Input: byte 0 bit 0 = wildcard, then records as one
 * length byte followed by that many RDATA bytes. Seeds: CaaPropertyFuzzTestInputs/caaRecordSet/.
 */
class CaaPropertyFuzzTest {
    private static final List<String> IDENTITIES = List.of("ca.hospital.test", "medpki.test");
    private static final String ACCOUNT = "https://acme.hospital.test/acme/account/a1";

    @FuzzTest(maxDuration = "5s")
    void caaRecordSet(byte[] data) {
        if (data.length == 0) {
            return;
        }
        boolean wildcard = (data[0] & 1) != 0;
        List<CaaProperty> set = new ArrayList<>();
        int i = 1;
        while (i < data.length) {
            int length = data[i] & 0xff;
            byte[] rdata = Arrays.copyOfRange(data, i + 1, Math.min(data.length, i + 1 + length));
            i += 1 + length;
            CaaProperty p = CaaProperty.fromRdata(rdata);
            if (p != null) {
                p.issuerDomain();
                CaaProperty.IssueValue v = CaaProperty.IssueValue.parse(p.value());
                if (v != null) {
                    v.restriction(ACCOUNT, "dns-01");
                }
                set.add(p);
            }
        }
        String why = CaaProperty.refusal(set, wildcard, IDENTITIES, ACCOUNT, "http-01");
        if (why == null && set.stream().anyMatch(p -> p.critical() && p.tag().equalsIgnoreCase("nosuchtag"))) {
            throw new AssertionError("an unknown critical property was allowed: " + set);
        }
    }
}
