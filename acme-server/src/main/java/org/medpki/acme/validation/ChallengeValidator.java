package org.medpki.acme.validation;

import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.medpki.acme.AcmeConfig;
import org.medpki.acme.AcmeException;
import org.medpki.acme.AddressRange;
import org.medpki.acme.Identifier;
import org.medpki.acme.ProblemType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates a challenge against the applicant (RFC 8555 section 8, RFC 8737, RFC 8738): CAA first
 * for DNS names, then the challenge type's check, all within one deadline
 * ({@code acme.validationTimeout}) that covers every look-up, every address tried and every
 * redirect. Blocks (network); run it on a virtual thread. Throws an {@link AcmeException} (dns,
 * connection, incorrectResponse, caa, tls) when it fails, always by the deadline.
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

    public ChallengeValidator(AcmeConfig config, Vertx vertx) {
        this.config = config;
        this.resolver = new Resolver(config);
        this.caa = new CaaCheck(resolver, config.caaIdentities());
        this.http01 = new Http01Validation(this, config, vertx);
        this.dns01 = new Dns01Validation(resolver);
        this.tlsAlpn01 = new TlsAlpn01Validation(this, config);
    }

    /**
     * {@code identifier} is the authorization's (a wildcard's base name with {@code wildcard}).
     * Returns or throws within the deadline: a validation still running then is interrupted and
     * ends as a connection problem.
     */
    public void validate(String type, Identifier identifier, boolean wildcard, String token, String keyAuthorization) {
        Deadline deadline = Deadline.in(config.validationTimeout());
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread worker = Thread.ofVirtual().name("acme-validation").start(() -> {
            try {
                validate(type, identifier, wildcard, token, keyAuthorization, deadline);
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        try {
            done.get(deadline.remaining().toMillis() + GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            worker.interrupt();
            throw timedOut(identifier, type + " still running at the deadline");
        } catch (InterruptedException e) {
            worker.interrupt();
            Thread.currentThread().interrupt();
            throw timedOut(identifier, type + " interrupted");
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case AcmeException problem -> throw problem;
                case Error error -> throw error;
                default -> {
                    LOG.warn("{} validation of {} failed unexpectedly", type, identifier.value(), e.getCause());
                    throw new AcmeException(ProblemType.SERVER_INTERNAL, "the validation failed on the server",
                            identifier, List.of(), null);
                }
            }
        }
    }

    private void validate(String type, Identifier identifier, boolean wildcard, String token, String keyAuthorization,
                          Deadline deadline) {
        if (identifier.type().equals("dns")) {
            caa.check(identifier, wildcard, deadline);
        }
        switch (type) {
            case "http-01" -> http01.validate(identifier, token, keyAuthorization, deadline);
            case "dns-01" -> dns01.validate(identifier, keyAuthorization, deadline);
            case "tls-alpn-01" -> tlsAlpn01.validate(identifier, keyAuthorization, deadline);
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
     * Whether the validator may not connect to {@code address} on {@code port}: the address is in
     * a denied range (loopback let through with {@code allowLoopback}), or it is this host and the
     * port is one our services listen on.
     */
    boolean denied(InetAddress address, int port) {
        boolean loopbackAllowed = config.allowLoopback() && AcmeConfig.LOOPBACK.stream().anyMatch(r -> r.contains(address));
        if (!loopbackAllowed) {
            for (AddressRange r : config.deniedRanges()) {
                if (r.contains(address)) {
                    return true;
                }
            }
        }
        return config.deniedPorts().contains(port) && thisHost(address);
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
