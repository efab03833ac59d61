package org.medpki.crl;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.medpki.core.crl.CrlDistribution;
import org.medpki.core.crl.CrlDistributions;
import org.medpki.core.crl.CrlPolicy;
import org.medpki.core.settings.Durations;

/**
 * The {@code crl} section of the settings: how CRLs are made and published. Every key is
 * optional (defaults in brackets): fullInterval [6h], fullNextUpdateMargin [18h], deltaInterval
 * [5m], deltaNextUpdateMargin [10m], deltaOverlap [10m], keepExpired [7d], rootValidity [365d],
 * deltas [true], onRevocation [full, see {@link OnRevocation}], revocationCoalesce [2s],
 * fullOnRevocationMaxEntries [100000], directory [PKI_HOME/crl], shards [per CA, default 1: not
 * partitioned], e.g. {@code shards: {server-ca: 4}}. Durations as {@link Durations} reads them.
 * The repository listener's bounds (idleTimeout, requestHeadTimeout, requestBodyTimeout,
 * maxConnections) are keys of this section too; ops reads them into {@link CrlPublisherConfig}.
 */
public record CrlSettings(CrlPolicy policy, CrlDistributions distributions, OnRevocation onRevocation,
                          Duration revocationCoalesce, long fullOnRevocationMaxEntries, Path directory) {
    public static final Duration DEFAULT_COALESCE = Duration.ofSeconds(2);
    /**
     * Above this many entries a complete CRL is not re-issued on revocation (the delta is): each
     * re-issue signs and stores the whole list, and every relying party that follows the CDP
     * downloads it again, so with a million entries (tens of megabytes) a burst of revocations
     * would cost a CRL build, a database row and a full download per client each time.
     */
    public static final long DEFAULT_FULL_ON_REVOCATION_MAX_ENTRIES = 100_000;

    /**
     * What a revocation triggers at once (the rest follows the schedule):
     * <ul>
     * <li>{@code none}: nothing;</li>
     * <li>{@code delta}: the delta CRLs that list it (the CA's and its shard's);</li>
     * <li>{@code full} (the default): those deltas, and {@code revocationCoalesce} after the first
     * of a burst of revocations, one new complete CRL of the scope each certificate's CDP names
     * (its shard's when the CA is partitioned, else the CA's), listing the whole burst; not when
     * that CRL holds more than {@code fullOnRevocationMaxEntries} entries and a delta covers the
     * revocation. Without deltas it is the only way, so then the size does not matter.</li>
     * </ul>
     */
    public enum OnRevocation { NONE, DELTA, FULL }

    public CrlSettings {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(distributions, "distributions");
        Objects.requireNonNull(onRevocation, "onRevocation");
        Objects.requireNonNull(revocationCoalesce, "revocationCoalesce");
        Objects.requireNonNull(directory, "directory");
        if (revocationCoalesce.isNegative()) {
            throw new IllegalArgumentException("crl.revocationCoalesce must not be negative");
        }
        if (fullOnRevocationMaxEntries < 0) {
            throw new IllegalArgumentException("crl.fullOnRevocationMaxEntries must not be negative");
        }
    }

    /** The defaults for coalescing and the size limit. */
    public CrlSettings(CrlPolicy policy, CrlDistributions distributions, OnRevocation onRevocation, Path directory) {
        this(policy, distributions, onRevocation, DEFAULT_COALESCE, DEFAULT_FULL_ON_REVOCATION_MAX_ENTRIES, directory);
    }

    /** The section as written; unknown keys are refused by the reader. */
    public record Document(@JsonProperty("fullInterval") String fullInterval,
                           @JsonProperty("fullNextUpdateMargin") String fullNextUpdateMargin,
                           @JsonProperty("deltaInterval") String deltaInterval,
                           @JsonProperty("deltaNextUpdateMargin") String deltaNextUpdateMargin,
                           @JsonProperty("deltaOverlap") String deltaOverlap,
                           @JsonProperty("keepExpired") String keepExpired,
                           @JsonProperty("rootValidity") String rootValidity,
                           @JsonProperty("deltas") Boolean deltas,
                           @JsonProperty("onRevocation") String onRevocation,
                           @JsonProperty("revocationCoalesce") String revocationCoalesce,
                           @JsonProperty("fullOnRevocationMaxEntries") Long fullOnRevocationMaxEntries,
                           @JsonProperty("directory") String directory,
                           @JsonProperty("shards") Map<String, Integer> shards,
                           @JsonProperty("idleTimeout") String idleTimeout,
                           @JsonProperty("requestHeadTimeout") String requestHeadTimeout,
                           @JsonProperty("requestBodyTimeout") String requestBodyTimeout,
                           @JsonProperty("maxConnections") Integer maxConnections) {
        public static final Document EMPTY = new Document(null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null);
    }

    public static CrlSettings defaults(Path home) {
        return new CrlSettings(CrlPolicy.DEFAULT, CrlDistributions.DEFAULT, OnRevocation.FULL, home.resolve("crl"));
    }

    /**
     * The settings of section {@code d} (null: the defaults); a relative directory is under
     * {@code home}. IllegalArgumentException naming the key ({@code crl.<key>}) when a value is bad.
     */
    public static CrlSettings of(Document d, Path home) {
        if (d == null) {
            return defaults(home);
        }
        CrlPolicy p = CrlPolicy.DEFAULT;
        CrlPolicy policy = new CrlPolicy(
                Durations.parse("crl.fullInterval", d.fullInterval(), p.fullInterval()),
                Durations.parse("crl.fullNextUpdateMargin", d.fullNextUpdateMargin(), p.fullNextUpdateMargin()),
                Durations.parse("crl.deltaInterval", d.deltaInterval(), p.deltaInterval()),
                Durations.parse("crl.deltaNextUpdateMargin", d.deltaNextUpdateMargin(), p.deltaNextUpdateMargin()),
                Durations.parse("crl.deltaOverlap", d.deltaOverlap(), p.deltaOverlap()),
                Durations.parse("crl.keepExpired", d.keepExpired(), p.keepExpired()),
                Durations.parse("crl.rootValidity", d.rootValidity(), p.rootValidity()));
        boolean deltas = d.deltas() == null || d.deltas();
        Map<String, CrlDistribution> byCa = new LinkedHashMap<>();
        if (d.shards() != null) {
            d.shards().forEach((ca, n) -> {
                if (n == null) {
                    throw new IllegalArgumentException("crl.shards." + ca + " needs a number");
                }
                byCa.put(ca, new CrlDistribution(n, deltas));
            });
        }
        OnRevocation on;
        try {
            on = d.onRevocation() == null ? OnRevocation.FULL
                    : OnRevocation.valueOf(d.onRevocation().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("crl.onRevocation must be none, delta or full, not '"
                    + d.onRevocation() + "'");
        }
        if (on == OnRevocation.DELTA && !deltas) {
            on = OnRevocation.FULL;
        }
        Duration coalesce = d.revocationCoalesce() == null ? DEFAULT_COALESCE
                : Durations.parse("crl.revocationCoalesce", d.revocationCoalesce());
        long maxEntries = d.fullOnRevocationMaxEntries() == null ? DEFAULT_FULL_ON_REVOCATION_MAX_ENTRIES
                : d.fullOnRevocationMaxEntries();
        if (maxEntries < 0) {
            throw new IllegalArgumentException("crl.fullOnRevocationMaxEntries must not be negative");
        }
        Path dir = d.directory() == null ? home.resolve("crl") : home.resolve(d.directory());
        return new CrlSettings(policy, new CrlDistributions(byCa, new CrlDistribution(1, deltas)), on, coalesce,
                maxEntries, dir);
    }
}
