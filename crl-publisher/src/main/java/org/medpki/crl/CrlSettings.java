package org.medpki.crl;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.medpki.core.crl.CrlDistribution;
import org.medpki.core.crl.CrlDistributions;
import org.medpki.core.crl.CrlPolicy;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * {@code PKI_HOME/crl.yaml}, optional: how CRLs are made and published. Unknown keys are
 * rejected; every key is optional (defaults in brackets): fullInterval [6h],
 * fullNextUpdateMargin [18h], deltaInterval [5m], deltaNextUpdateMargin [10m], deltaOverlap [10m],
 * keepExpired [7d], rootValidity [365d], deltas [true], onRevocation [delta: publish delta CRLs at
 * once; full: complete CRLs too; none], directory [PKI_HOME/crl], shards [per CA, default 1:
 * not partitioned], e.g. {@code shards: {server-ca: 4}}. Durations: a number and s, m, h or d.
 */
public record CrlSettings(CrlPolicy policy, CrlDistributions distributions, OnRevocation onRevocation,
                          Path directory) {

    /** What a revocation triggers at once. */
    public enum OnRevocation { NONE, DELTA, FULL }

    record Document(@JsonProperty("fullInterval") String fullInterval,
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
    }

    public static CrlSettings defaults(Path home) {
        return new CrlSettings(CrlPolicy.DEFAULT, CrlDistributions.DEFAULT, OnRevocation.DELTA, home.resolve("crl"));
    }

    /** Reads {@code home/crl.yaml}, or the defaults when there is no such file. */
    public static CrlSettings load(Path home) {
        Path file = home.resolve("crl.yaml");
        if (!Files.exists(file)) {
            return defaults(home);
        }
        Document d;
        try {
            d = new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(file.toFile(), Document.class);
        } catch (IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, file + ": " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (d == null) {
            return defaults(home);
        }
        try {
            CrlPolicy p = CrlPolicy.DEFAULT;
            CrlPolicy policy = new CrlPolicy(
                    duration("fullInterval", d.fullInterval(), p.fullInterval()),
                    duration("fullNextUpdateMargin", d.fullNextUpdateMargin(), p.fullNextUpdateMargin()),
                    duration("deltaInterval", d.deltaInterval(), p.deltaInterval()),
                    duration("deltaNextUpdateMargin", d.deltaNextUpdateMargin(), p.deltaNextUpdateMargin()),
                    duration("deltaOverlap", d.deltaOverlap(), p.deltaOverlap()),
                    duration("keepExpired", d.keepExpired(), p.keepExpired()),
                    duration("rootValidity", d.rootValidity(), p.rootValidity()));
            boolean deltas = d.deltas() == null || d.deltas();
            Map<String, CrlDistribution> byCa = new LinkedHashMap<>();
            if (d.shards() != null) {
                d.shards().forEach((ca, n) -> {
                    if (n == null) {
                        throw new IllegalArgumentException("shards." + ca + " needs a number");
                    }
                    byCa.put(ca, new CrlDistribution(n, deltas));
                });
            }
            OnRevocation on = d.onRevocation() == null ? OnRevocation.DELTA
                    : OnRevocation.valueOf(d.onRevocation().trim().toUpperCase(Locale.ROOT));
            if (on == OnRevocation.DELTA && !deltas) {
                on = OnRevocation.FULL;
            }
            Path dir = d.directory() == null ? home.resolve("crl") : home.resolve(d.directory());
            return new CrlSettings(policy, new CrlDistributions(byCa, new CrlDistribution(1, deltas)), on, dir);
        } catch (IllegalArgumentException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, file + ": " + e.getMessage());
        }
    }

    /** "90s", "5m", "6h", "7d". */
    static Duration duration(String key, String text, Duration fallback) {
        if (text == null) {
            return fallback;
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (!t.matches("[0-9]{1,9}[smhd]")) {
            throw new IllegalArgumentException(key + " '" + text + "' is not a duration such as 90s, 5m, 6h or 7d");
        }
        long n = Long.parseLong(t.substring(0, t.length() - 1));
        return switch (t.charAt(t.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
