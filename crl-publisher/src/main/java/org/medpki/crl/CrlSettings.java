package org.medpki.crl;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.medpki.core.crl.CrlDistribution;
import org.medpki.core.crl.CrlDistributions;
import org.medpki.core.crl.CrlPolicy;
import org.medpki.core.settings.Durations;

/**
 * The {@code crl} section of the settings: how CRLs are made and published. Every key is
 * optional (defaults in brackets): fullInterval [6h], fullNextUpdateMargin [18h], deltaInterval
 * [5m], deltaNextUpdateMargin [10m], deltaOverlap [10m], keepExpired [7d], rootValidity [365d],
 * deltas [true], onRevocation [delta: publish delta CRLs at once; full: complete CRLs too; none],
 * directory [PKI_HOME/crl], shards [per CA, default 1: not partitioned], e.g.
 * {@code shards: {server-ca: 4}}. Durations as {@link Durations} reads them.
 */
public record CrlSettings(CrlPolicy policy, CrlDistributions distributions, OnRevocation onRevocation,
                          Path directory) {

    /** What a revocation triggers at once. */
    public enum OnRevocation { NONE, DELTA, FULL }

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
                           @JsonProperty("directory") String directory,
                           @JsonProperty("shards") Map<String, Integer> shards) {
        public static final Document EMPTY = new Document(null, null, null, null, null, null, null, null, null, null,
                null);
    }

    public static CrlSettings defaults(Path home) {
        return new CrlSettings(CrlPolicy.DEFAULT, CrlDistributions.DEFAULT, OnRevocation.DELTA, home.resolve("crl"));
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
            on = d.onRevocation() == null ? OnRevocation.DELTA
                    : OnRevocation.valueOf(d.onRevocation().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("crl.onRevocation must be none, delta or full, not '"
                    + d.onRevocation() + "'");
        }
        if (on == OnRevocation.DELTA && !deltas) {
            on = OnRevocation.FULL;
        }
        Path dir = d.directory() == null ? home.resolve("crl") : home.resolve(d.directory());
        return new CrlSettings(policy, new CrlDistributions(byCa, new CrlDistribution(1, deltas)), on, dir);
    }
}
