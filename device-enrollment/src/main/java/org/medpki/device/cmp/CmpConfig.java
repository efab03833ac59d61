package org.medpki.device.cmp;

import java.time.Duration;
import java.util.Objects;
import org.medpki.listener.ListenerLimits;

/**
 * Settings of the CMP listener: where it listens (plain HTTP, RFC 9811), the service's signing
 * key, the listener's bounds, the largest request body, and how many transactions awaiting a
 * certConf are kept and for how long.
 */
public record CmpConfig(String host, int port, CmpSigner signer, ListenerLimits limits, int maxRequestBytes,
                        int maxPendingTransactions, Duration transactionTimeout) {
    public static final int DEFAULT_MAX_REQUEST_BYTES = 64 * 1024;

    public CmpConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(signer, "signer");
        Objects.requireNonNull(limits, "limits");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, not " + port);
        }
        if (maxRequestBytes < 1024 || maxRequestBytes > 1024 * 1024) {
            throw new IllegalArgumentException("maxRequestBytes must be between 1 KiB and 1 MiB, not " + maxRequestBytes);
        }
        if (maxPendingTransactions < 1 || maxPendingTransactions > 1_000_000) {
            throw new IllegalArgumentException("maxPendingTransactions must be between 1 and 1000000");
        }
        if (transactionTimeout.compareTo(Duration.ofSeconds(1)) < 0 || transactionTimeout.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("transactionTimeout must be between 1 second and 1 hour");
        }
    }

    /** 64 KiB bodies, 10000 pending transactions of at most 5 minutes. */
    public CmpConfig(String host, int port, CmpSigner signer, ListenerLimits limits) {
        this(host, port, signer, limits, DEFAULT_MAX_REQUEST_BYTES, 10_000, Duration.ofMinutes(5));
    }
}
