package org.medpki.admin;

import java.time.Duration;

/**
 * How many approvals each kind of request needs (dual control, M of N, by approvers other than the
 * requester) and how long a request waits for them. A revocation of one certificate by an operator
 * needs none; of up to {@code smallRevocationMax} certificates, {@code smallRevocation}; of more,
 * {@code largeRevocation}. Changes of administrators and revocations of CA certificates never run
 * on one person's word: they need at least one approval. The destruction of a key (key
 * retirement, irreversible) and a rollover of an issuing CA (a new key certified by the root)
 * need at least two ({@code keyDestruction}, {@code caRollover}).
 */
public record Approvals(int smallRevocationMax, int smallRevocation, int largeRevocation, int adminChange,
                        int caRevocation, int keyDestruction, int caRollover, Duration lifetime) {
    public static final Approvals DEFAULTS = new Approvals(10, 1, 2, 2, 2, 2, 2, Duration.ofHours(24));

    /** With the default number of approvals for a key's destruction and a CA's rollover. */
    public Approvals(int smallRevocationMax, int smallRevocation, int largeRevocation, int adminChange,
                     int caRevocation, Duration lifetime) {
        this(smallRevocationMax, smallRevocation, largeRevocation, adminChange, caRevocation, 2, 2, lifetime);
    }

    public Approvals {
        if (smallRevocationMax < 1 || smallRevocationMax > 100_000) {
            throw new IllegalArgumentException("admin.smallRevocationMax must be between 1 and 100000");
        }
        check("admin.smallRevocationApprovals", smallRevocation, 0);
        check("admin.revocationApprovals", largeRevocation, 1);
        check("admin.adminChangeApprovals", adminChange, 1);
        check("admin.caRevocationApprovals", caRevocation, 1);
        check("admin.keyDestructionApprovals", keyDestruction, 2);
        // A new CA key and a certificate from the root: never fewer than two people besides the requester.
        check("admin.caRolloverApprovals", caRollover, 2);
        if (largeRevocation < smallRevocation) {
            throw new IllegalArgumentException("admin.revocationApprovals (" + largeRevocation + ") must be at least "
                    + "admin.smallRevocationApprovals (" + smallRevocation + ")");
        }
        if (lifetime.compareTo(Duration.ofMinutes(5)) < 0 || lifetime.compareTo(Duration.ofDays(30)) > 0) {
            throw new IllegalArgumentException("admin.requestLifetime must be between 5m and 30d");
        }
    }

    /** The approvals a revocation of {@code count} certificates needs from a requester who is or is not an operator. */
    public int revocation(int count, boolean byOperator) {
        if (count == 1 && byOperator) {
            return 0;
        }
        return count <= smallRevocationMax ? smallRevocation : largeRevocation;
    }

    private static void check(String key, int value, int min) {
        if (value < min || value > 10) {
            throw new IllegalArgumentException(key + " must be between " + min + " and 10");
        }
    }
}
