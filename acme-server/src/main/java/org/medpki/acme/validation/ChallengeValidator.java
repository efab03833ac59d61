package org.medpki.acme.validation;

import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.medpki.acme.AcmeConfig;
import org.medpki.acme.AcmeException;
import org.medpki.acme.Identifier;
import org.medpki.acme.ProblemType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates a challenge against the applicant (RFC 8555 section 8, RFC 8737, RFC 8738,
 * draft-ietf-acme-dns-account-label-02, draft-ietf-acme-dns-persist-01): CAA first
 * for DNS names, then the challenge type's check, all within one deadline
 * ({@code acme.validationTimeout}) that covers every look-up, every address tried and every
 * redirect. Blocks (network); run it on a virtual thread. Throws an {@link AcmeException} (dns,
 * connection, incorrectResponse, caa, tls; unauthorized or malformed for a dns-persist-01 record)
 * when it fails, always by the deadline. At finalize it looks CAA up again for authorizations
 * validated long ago ({@link #recheckCaa}).
 *
 * <p>The validator connects to hosts any ACME client names, from inside our network: what it
 * tells the client is generic ("could not connect", "the response did not contain the key
 * authorization"); which address answered what goes to our log only.
 */
public final class ChallengeValidator {
    private static final Logger LOG = LoggerFactory.getLogger(ChallengeValidator.class);
    /** After the deadline, how long the validation's thread has to give up by itself before we stop waiting. */
    private static final long GRACE_MILLIS = 500;
    private final AcmeConfig config;
    private final Resolver resolver;
    private final CaaCheck caa;
    private final Http01Validation http01;
    private final Dns01Validation dns01;
    private final TlsAlpn01Validation tlsAlpn01;
    private final DnsPersist01Validation dnsPersist01;

    public ChallengeValidator(AcmeConfig config, Vertx vertx) {
        this.config = config;
        this.resolver = new Resolver(config);
        this.caa = new CaaCheck(resolver, config.caaIdentities());
        this.http01 = new Http01Validation(this, config, vertx);
        this.dns01 = new Dns01Validation(resolver);
        this.tlsAlpn01 = new TlsAlpn01Validation(this, config);
        this.dnsPersist01 = new DnsPersist01Validation(resolver, IssuerDomainNames.of(config.caaIdentities()),
                Clock.systemUTC());
    }

    /**
     * {@code identifier} is the authorization's (a wildcard's base name with {@code wildcard});
     * {@code accountUri} the URL of the account it belongs to (for CAA's accounturi). Returns or
     * throws within the deadline: a validation still running then is interrupted and ends as a
     * connection problem.
     */
    public void validate(String type, Identifier identifier, boolean wildcard, String accountUri, String token,
                         String keyAuthorization) {
        Deadline deadline = Deadline.in(config.validationTimeout());
        withinDeadline(type, identifier, deadline, () -> timedOut(identifier, type + " still running at the deadline"),
                () -> {
                    validate(type, identifier, wildcard, accountUri, token, keyAuthorization, deadline);
                    return null;
                });
    }

    /** A DNS identifier's authorization whose CAA finalize looks up again: how it was validated. */
    public record CaaRecheck(Identifier identifier, boolean wildcard, String validationMethod) {
    }

    /**
     * CAA again for each of {@code rechecks}, as the account at {@code accountUri} asks for
     * issuance now: the problems (caa when the records forbid it, dns when a look-up failed), one
     * per refused identifier; empty when CAA allows every one. All of them within one deadline
     * ({@code acme.validationTimeout}); look-ups left when it passes fail as dns.
     */
    public List<AcmeException> recheckCaa(List<CaaRecheck> rechecks, String accountUri) {
        if (rechecks.isEmpty()) {
            return List.of();
        }
        Deadline deadline = Deadline.in(config.validationTimeout());
        Identifier first = rechecks.getFirst().identifier();
        return withinDeadline("CAA re-check", first, deadline, () -> failed(ProblemType.DNS,
                "the CAA look-up did not finish in time", first, "CAA re-check still running at the deadline"), () -> {
                    List<AcmeException> refused = new ArrayList<>();
                    for (CaaRecheck r : rechecks) {
                        try {
                            caa.check(r.identifier(), r.wildcard(), accountUri, r.validationMethod(), deadline);
                        } catch (AcmeException e) {
                            refused.add(e);
                        }
                    }
                    return List.copyOf(refused);
                });
    }

    /**
     * Runs {@code work} on a virtual thread and waits for it until the deadline (and a grace);
     * then interrupts it and throws {@code late}'s problem. {@code what} and {@code identifier}
     * name it in the log.
     */
    private <T> T withinDeadline(String what, Identifier identifier, Deadline deadline,
                                 Supplier<AcmeException> late,
                                 Supplier<T> work) {
        CompletableFuture<T> done = new CompletableFuture<>();
        Thread worker = Thread.ofVirtual().name("acme-validation").start(() -> {
            try {
                done.complete(work.get());
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        try {
            return done.get(deadline.remaining().toMillis() + GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            worker.interrupt();
            throw late.get();
        } catch (InterruptedException e) {
            worker.interrupt();
            Thread.currentThread().interrupt();
            throw timedOut(identifier, what + " interrupted");
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case AcmeException problem -> throw problem;
                case Error error -> throw error;
                default -> {
                    LOG.warn("{} of {} failed unexpectedly", what, identifier.value(), e.getCause());
                    throw new AcmeException(ProblemType.SERVER_INTERNAL, "the validation failed on the server",
                            identifier, List.of(), null);
                }
            }
        }
    }

    private void validate(String type, Identifier identifier, boolean wildcard, String accountUri, String token,
                          String keyAuthorization, Deadline deadline) {
        if (identifier.type().equals("dns")) {
            caa.check(identifier, wildcard, accountUri, type, deadline);
        }
        switch (type) {
            case "http-01" -> http01.validate(identifier, token, keyAuthorization, deadline);
            case "dns-01" -> dns01.validate(identifier, keyAuthorization, deadline);
            case "tls-alpn-01" -> tlsAlpn01.validate(identifier, keyAuthorization, deadline);
            case "dns-account-01" -> dns01.validateForAccount(identifier, accountUri, keyAuthorization, deadline);
            case "dns-persist-01" -> dnsPersist01.validate(identifier, wildcard, accountUri, deadline);
            default -> throw new AcmeException(ProblemType.MALFORMED, "unknown challenge type " + type);
        }
    }

    /**
     * The addresses of {@code target} to connect to on {@code port}, without those the validator
     * may not reach (none left: refused). {@code identifier} is the authorization's, for the problem.
     */
    List<InetAddress> targets(Identifier identifier, Identifier target, int port, Deadline deadline) {
        List<InetAddress> all;
        if (target.type().equals("ip")) {
            try {
                all = List.of(InetAddress.getByName(target.value()));
            } catch (UnknownHostException e) {
                throw new AcmeException(ProblemType.MALFORMED, "not an IP address: " + target.value());
            }
        } else {
            try {
                all = resolver.resolve(target.value(), deadline);
            } catch (DnsClient.DnsFailure e) {
                throw failed(ProblemType.DNS, "the DNS look-up of " + target.value() + " failed", identifier,
                        e.getMessage());
            }
        }
        List<InetAddress> allowed = all.stream().filter(a -> !denied(a, port)).toList();
        if (allowed.isEmpty()) {
            throw failed(ProblemType.CONNECTION, "the validation target is only at addresses the validator does not "
                    + "connect to (a denied range)", identifier, target.value() + " port " + port + " resolves to "
                    + all.stream().map(InetAddress::getHostAddress).toList() + ", all denied");
        }
        return allowed;
    }

    /**
     * Whether the validator may not connect to {@code address} on {@code port}: the address, or
     * the IPv4 address it embeds for a NAT64 or 6to4 gateway, is in a denied range (loopback let
     * through with {@code allowLoopback}), or it is this host and the port is one our services
     * listen on.
     */
    boolean denied(InetAddress address, int port) {
        InetAddress embedded = embeddedIpv4(address);
        if (embedded != null && deniedRange(embedded)) {
            return true;
        }
        return deniedRange(address) || config.deniedPorts().contains(port) && thisHost(address);
    }

    private boolean deniedRange(InetAddress address) {
        if (config.allowLoopback() && AcmeConfig.LOOPBACK.stream().anyMatch(r -> r.contains(address))) {
            return false;
        }
        return config.deniedRanges().stream().anyMatch(r -> r.contains(address));
    }

    /**
     * The IPv4 address an IPv6 address carries to a gateway that would forward to it: NAT64's
     * well-known prefix 64:ff9b::/96 (RFC 6052), 6to4's 2002::/16 (RFC 3056) and the deprecated
     * IPv4-compatible ::/96; null for others. (IPv4-mapped addresses are IPv4 already in Java.)
     */
    static InetAddress embeddedIpv4(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != 16) {
            return null;
        }
        int from;
        if (prefix(a, new byte[] {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0})) {
            from = 12;
        } else if (a[0] == 0x20 && a[1] == 0x02) {
            from = 2;
        } else if (prefix(a, new byte[12]) && !(a[12] == 0 && a[13] == 0 && a[14] == 0)) {
            from = 12;
        } else {
            return null;
        }
        try {
            return InetAddress.getByAddress(java.util.Arrays.copyOfRange(a, from, from + 4));
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean prefix(byte[] a, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (a[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    static boolean thisHost(InetAddress address) {
        if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return true;   // unknown: assume it is ours
        }
    }

    static AcmeException problem(ProblemType type, String detail, Identifier identifier) {
        return new AcmeException(type, detail, identifier, List.of(), null);
    }

    /** A problem whose client detail is generic; {@code internal} (addresses, answers) goes to our log only. */
    static AcmeException failed(ProblemType type, String detail, Identifier identifier, String internal) {
        LOG.info("validation of {} failed: {} ({})", identifier.value(), detail, internal);
        return problem(type, detail, identifier);
    }

    static AcmeException timedOut(Identifier identifier, String internal) {
        return failed(ProblemType.CONNECTION, "the validation did not finish in time", identifier, internal);
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
