package org.medpki.core.crl;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Which certificates a CRL covers: all of a CA's ({@code shard} 0, the CA's complete CRL) or one
 * partition of them ({@code shard} 1..n, each with its own issuing distribution point). The file
 * and URL names follow one convention, used both when a certificate's CDP is written and when the
 * CRL is published: {@code {ca}.crl}, {@code {ca}-delta.crl}, {@code {ca}-{shard}.crl},
 * {@code {ca}-{shard}-delta.crl}.
 */
public record CrlScope(String caName, int shard) {
    public static final int MAX_SHARD = 256;
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    public CrlScope {
        Objects.requireNonNull(caName, "caName");
        if (!NAME.matcher(caName).matches()) {
            throw new IllegalArgumentException("CA name '" + caName + "' is not a URL-safe CA name");
        }
        if (shard < 0 || shard > MAX_SHARD) {
            throw new IllegalArgumentException("CRL shard must be between 0 and " + MAX_SHARD + ", not " + shard);
        }
    }

    public static CrlScope whole(String caName) {
        return new CrlScope(caName, 0);
    }

    public boolean partitioned() {
        return shard > 0;
    }

    /** The file name of this scope's CRL of the given kind, e.g. "server-ca-2-delta.crl". */
    public String fileName(CrlKind kind) {
        return stem(kind) + ".crl";
    }

    /** The file name without extension, e.g. "server-ca-2-delta". */
    public String stem(CrlKind kind) {
        return caName + (shard > 0 ? "-" + shard : "") + (kind == CrlKind.DELTA ? "-delta" : "");
    }

    /**
     * This scope's URL derived from the URL of the CA's complete CRL (the profile's
     * crlDistributionPoint for the CA, which must end in "{ca}.crl"): the same directory, this
     * scope's file name.
     */
    public String urlFrom(String completeCrlUrl, CrlKind kind) {
        Objects.requireNonNull(completeCrlUrl, "completeCrlUrl");
        String suffix = caName + ".crl";
        if (!completeCrlUrl.endsWith("/" + suffix)) {
            throw new IllegalArgumentException("the CRL distribution point '" + completeCrlUrl + "' must end in '/"
                    + suffix + "' so that shard and delta CRL URLs can be derived from it");
        }
        return completeCrlUrl.substring(0, completeCrlUrl.length() - suffix.length()) + fileName(kind);
    }

    @Override
    public String toString() {
        return stem(CrlKind.FULL);
    }
}
