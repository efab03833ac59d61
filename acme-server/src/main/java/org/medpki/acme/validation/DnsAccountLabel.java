package org.medpki.acme.validation;

import java.util.Arrays;
import org.xbill.DNS.utils.base32;

/**
 * The account-scoped label of dns-account-01 (draft-ietf-acme-dns-account-label-02 section 3.1):
 * "_" followed by the lower-case base32 (RFC 4648, no padding) of the first 10 bytes of
 * SHA-256(account URL). Several accounts (a hospital's clusters, each with its own ACME account)
 * can so answer for one name at once, each at its own TXT name.
 */
final class DnsAccountLabel {
    private static final base32 LOWER_CASE_BASE32 = new base32(base32.Alphabet.BASE32, false, true);

    private DnsAccountLabel() {
    }

    /** The label for the account at {@code accountUri}, e.g. "_ujmmovf2vn55tgye". */
    static String of(String accountUri) {
        return "_" + LOWER_CASE_BASE32.toString(Arrays.copyOf(ChallengeValidator.sha256(accountUri), 10));
    }

    /** Where dns-account-01 looks for {@code name}'s TXT record: _LABEL._acme-challenge.NAME. */
    static String validationName(String accountUri, String name) {
        return of(accountUri) + "._acme-challenge." + name;
    }
}
