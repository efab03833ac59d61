package org.medpki.core.retirement;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.crl.PublishedCrl;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.inventory.CaRevocation;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.keys.DestroyedKey;
import org.medpki.core.keys.KeyPairInfo;
import org.medpki.core.keys.PublicKeys;
import org.medpki.core.keys.SigningKeys;
import org.medpki.core.revocation.RevocationReason;

/**
 * Retires one of the PKI's own keys (CP/CPS 6.2.10, 6.3.2): an issuing CA's or an OCSP signer's
 * key, named by the CA (or signer) name and, when that name has had several keys (a rollover), the
 * key's SPKI SHA-256. A key may be retired when every certificate of it and every certificate it
 * signed has expired or was revoked, or at once when a certificate of it was revoked for
 * keyCompromise or cACompromise. Retiring an issuing CA's key first signs and stores its final
 * complete CRLs, valid (nextUpdate) until a day past the last expiry of what it signed, so that
 * relying parties can check those certificates' status until then without the key; then the key
 * is destroyed in its token (C_DestroyObject), and the destruction is recorded (table
 * key_destruction, final) and audited with the fingerprint, the approvers and the token's answer.
 * The audit entry {@code key.destruction_started} is written before the irreversible step, so that
 * a run stopped after it is completed by running again (the token then no longer holds the key,
 * which the record says). A refusal ({@code key.destruction_refused}) names why and changes
 * nothing. The root and the audit key are not retired here. Runs where the key's token is open:
 * the CA service or the CA host for CA keys, the CA host for OCSP signer keys. Blocking.
 */
public final class KeyRetirementService {
    /** How far past the last expiry of what a retired CA signed its final CRL stays valid. */
    public static final Duration FINAL_CRL_MARGIN = Duration.ofDays(1);
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final Set<RevocationReason> COMPROMISE = Set.of(RevocationReason.KEY_COMPROMISE,
            RevocationReason.CA_COMPROMISE);

    /** Signs and stores an issuing CA's final complete CRLs (every scope), valid until {@code nextUpdate}. */
    public interface FinalCrls {
        List<PublishedCrl> publishFinal(CaCertificate ca, Instant nextUpdate);
    }

    /** A key that may be retired, and on what grounds. */
    public record Plan(CaCertificate ca, List<CaCertificate> certificates, String keySha256, String grounds,
                       Instant lastExpiry) {
    }

    /** What was done: the record, and the final CRLs (empty for an OCSP signer). */
    public record Retired(KeyDestruction record, List<PublishedCrl> finalCrls) {
    }

    private final Inventory inventory;
    private final KeyDestructions records;
    private final AuditLog audit;
    private final Clock clock;
    private final SigningKeys caKeys;
    private final SigningKeys ocspKeys;
    private final FinalCrls finalCrls;

    /**
     * {@code caKeys}, {@code ocspKeys}: the tokens this process opens (either may be null: a key in
     * a token not opened here is refused); {@code finalCrls} may be null only where no issuing CA's
     * key is retired. With all three null, only {@link #plan} is of use (the admin API's check).
     */
    public KeyRetirementService(Inventory inventory, KeyDestructions records, AuditLog audit, Clock clock,
                                SigningKeys caKeys, SigningKeys ocspKeys, FinalCrls finalCrls) {
        this.inventory = Objects.requireNonNull(inventory, "inventory");
        this.records = Objects.requireNonNull(records, "records");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.caKeys = caKeys;
        this.ocspKeys = ocspKeys;
        this.finalCrls = finalCrls;
    }

    /**
     * Whether the key of {@code name} ({@code keySha256} null when the name has one key) may be
     * retired now: the plan, or a PkiException naming why not (MALFORMED, NOT_FOUND, CONFLICT).
     * Changes nothing.
     */
    public Plan plan(String name, String keySha256) {
        if (name == null || name.isBlank()) {
            throw new PkiException(ErrorKind.MALFORMED, "name the CA or OCSP signer whose key is to be retired");
        }
        if (keySha256 != null && !SHA256_HEX.matcher(keySha256).matches()) {
            throw new PkiException(ErrorKind.MALFORMED, "the key's SHA-256 is 64 lower-case hex digits (the SHA-256 "
                    + "of its SubjectPublicKeyInfo)");
        }
        Hierarchy hierarchy = Hierarchy.load(inventory);
        List<CaCertificate> named = hierarchy.all().stream().filter(c -> c.name().equals(name)).toList();
        if (named.isEmpty()) {
            throw new PkiException(ErrorKind.NOT_FOUND, "no CA or OCSP signer named '" + cut(name) + "' (issuing CAs: "
                    + names(hierarchy.withRole(CaRole.ISSUING)) + "; OCSP signers: "
                    + names(hierarchy.withRole(CaRole.OCSP_SIGNER)) + ")");
        }
        Set<String> keys = new LinkedHashSet<>();
        named.forEach(c -> keys.add(PublicKeys.fingerprint(c.publicKey())));
        String key;
        if (keySha256 != null) {
            if (!keys.contains(keySha256)) {
                throw new PkiException(ErrorKind.NOT_FOUND, "'" + name + "' has no key with SHA-256 " + keySha256
                        + " (its keys: " + String.join(", ", keys) + ")");
            }
            key = keySha256;
        } else if (keys.size() > 1) {
            throw new PkiException(ErrorKind.MALFORMED, "'" + name + "' has " + keys.size() + " keys: name one by "
                    + "its SHA-256 (" + String.join(", ", keys) + ")");
        } else {
            key = keys.iterator().next();
        }
        CaCertificate target = named.stream().filter(c -> PublicKeys.fingerprint(c.publicKey()).equals(key))
                .reduce((a, b) -> b).orElseThrow();
        switch (target.record().role()) {
            case ROOT -> throw new PkiException(ErrorKind.MALFORMED, "'" + name + "' is the root CA: its key is "
                    + "retired with a root rollover ceremony, not here");
            case AUDIT -> throw new PkiException(ErrorKind.MALFORMED, "'" + name + "' is the audit signer: its key "
                    + "is replaced at a key ceremony, not retired here");
            case ISSUING, OCSP_SIGNER -> { }
        }
        Optional<KeyDestruction> done = records.of(key);
        if (done.isPresent()) {
            throw new PkiException(ErrorKind.CONFLICT, "the key of '" + name + "' (SHA-256 " + key
                    + ") was destroyed already at " + done.get().destroyedAt() + " by " + done.get().requestedBy());
        }
        // Every certificate of this key (a key certified twice has two rows).
        List<CaCertificate> own = hierarchy.all().stream()
                .filter(c -> PublicKeys.fingerprint(c.publicKey()).equals(key)).toList();
        Map<Long, CaRevocation> revoked = new LinkedHashMap<>();
        inventory.caRevocations().forEach(r -> revoked.put(r.caId(), r));
        boolean compromised = own.stream().map(c -> revoked.get(c.record().id()))
                .anyMatch(r -> r != null && COMPROMISE.contains(r.reason()));
        Instant now = clock.instant();
        Instant lastExpiry = null;
        for (CaCertificate c : own) {
            Instant notAfter = c.x509().getNotAfter().toInstant();
            if (!compromised && notAfter.isAfter(now) && !revoked.containsKey(c.record().id())) {
                throw new PkiException(ErrorKind.CONFLICT, "the certificate of '" + c.name() + "' (serial "
                        + c.x509().getSerialNumber().toString(16) + ") is valid until " + notAfter + ": a key is "
                        + "retired once every certificate of it and under it has expired or was revoked, or after it "
                        + "was revoked for keyCompromise or cACompromise");
            }
        }
        if (target.record().role() == CaRole.ISSUING) {
            Set<Long> ids = new LinkedHashSet<>();
            own.forEach(c -> ids.add(c.record().id()));
            for (CaCertificate child : hierarchy.all()) {
                Long parent = child.record().parentId();
                if (parent == null || !ids.contains(parent) || own.contains(child)) {
                    continue;
                }
                Instant notAfter = child.x509().getNotAfter().toInstant();
                lastExpiry = later(lastExpiry, notAfter);
                if (!compromised && notAfter.isAfter(now) && !revoked.containsKey(child.record().id())) {
                    throw new PkiException(ErrorKind.CONFLICT, "'" + child.name() + "', certified by the key of '"
                            + name + "', is still valid (until " + notAfter + "): revoke it first, or wait until it "
                            + "expired");
                }
            }
            KeyDestructions.IssuedUnder issued = records.issuedUnder(ids, now);
            lastExpiry = later(lastExpiry, issued.lastNotAfter());
            if (!compromised && issued.valid() > 0) {
                throw new PkiException(ErrorKind.CONFLICT, issued.valid() + " certificate(s) signed by the key of '"
                        + name + "' are still valid (one is serial " + hex(issued.aValidSerial()) + "): a key is "
                        + "retired once every certificate under it has expired or was revoked, or after it was "
                        + "revoked for keyCompromise or cACompromise");
            }
        }
        return new Plan(target, own, key, compromised ? "compromised" : "expired", lastExpiry);
    }

    /**
     * {@link #plan} for a request by {@code actor} (the admin API's request, the CA host's command
     * before it opens a token): a refusal is audited as {@code key.destruction_refused}.
     */
    public Plan check(String name, String keySha256, String actor) {
        try {
            return plan(name, keySha256);
        } catch (PkiException e) {
            Map<String, String> details = new LinkedHashMap<>();
            details.put("ca", cut(String.valueOf(name)));
            if (keySha256 != null) {
                details.put("keySha256", cut(keySha256));
            }
            details.put("kind", e.kind().name());
            details.put("why", e.publicDetail());
            audit.recordQuietly(AuditEvent.failure(clock.instant(), "key.destruction_refused", actor, details));
            throw e;
        }
    }

    /**
     * Retires the key: checks ({@link #plan}), the final CRLs of an issuing CA, the key destroyed in
     * its token, the record and the audit entry {@code key.destroyed}. {@code actor} is who asked
     * ({@code admin:NAME} through the admin API, {@code break-glass:cli:USER} on the CA host),
     * {@code approvers} who approved (empty on the CA host).
     */
    public Retired retire(String name, String keySha256, String actor, List<String> approvers) {
        Objects.requireNonNull(actor, "actor");
        List<String> approvedBy = approvers == null ? List.of() : List.copyOf(approvers);
        boolean breakGlass = actor.startsWith("break-glass:");
        Map<String, String> details = new LinkedHashMap<>();
        details.put("ca", cut(String.valueOf(name)));
        if (keySha256 != null) {
            details.put("keySha256", cut(keySha256));
        }
        details.put("approvers", String.join(",", approvedBy));
        details.put("breakGlass", Boolean.toString(breakGlass));
        try {
            Plan plan = plan(name, keySha256);
            CaCertificate ca = plan.ca();
            details.put("keySha256", plan.keySha256());
            details.put("role", ca.record().role().wireName());
            details.put("keyLabel", ca.keyLabel());
            details.put("grounds", plan.grounds());
            SigningKeys token = tokenOf(ca);
            details.put("token", token.token().label());
            Optional<KeyPairInfo> inToken = token.find(ca.keyLabel());
            if (inToken.isPresent() && !PublicKeys.fingerprint(inToken.get().publicKey()).equals(plan.keySha256())) {
                throw new PkiException(ErrorKind.CONFLICT, "the key labelled '" + ca.keyLabel() + "' in the token '"
                        + token.token().label() + "' is not the key of '" + name + "' (SHA-256 "
                        + PublicKeys.fingerprint(inToken.get().publicKey()) + "): nothing destroyed");
            }
            List<PublishedCrl> crls = List.of();
            Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
            Instant lastExpiry = plan.lastExpiry() == null ? now : plan.lastExpiry();
            if (ca.record().role() == CaRole.ISSUING) {
                if (finalCrls == null) {
                    throw new PkiException(ErrorKind.CONFIGURATION, "this process cannot sign the final CRL of '"
                            + name + "'");
                }
                Instant nextUpdate = later(now, lastExpiry).plus(FINAL_CRL_MARGIN);
                crls = finalCrls.publishFinal(ca, nextUpdate);
                details.put("finalCrlNumber", crls.isEmpty() ? "" : crls.getFirst().number().toString());
                details.put("finalCrlNextUpdate", nextUpdate.toString());
            }
            details.put("lastExpiry", lastExpiry.toString());
            audit.record(AuditEvent.success(now, "key.destruction_started", actor, details));
            String answer;
            if (inToken.isPresent()) {
                DestroyedKey destroyed = token.destroy(ca.keyLabel());
                answer = destroyed.tokenAnswer();
            } else {
                answer = "the token '" + token.token().label() + "' held no key labelled '" + ca.keyLabel()
                        + "' when retirement ran (destroyed by an earlier run that stopped before its record)";
            }
            details.put("tokenAnswer", answer);
            PublishedCrl first = crls.isEmpty() ? null : crls.getFirst();
            KeyDestruction record = new KeyDestruction(ca.record().id(), ca.name(), ca.record().role(),
                    ca.keyLabel(), token.token().label(), plan.keySha256(), plan.grounds(), lastExpiry,
                    first == null ? null : first.number(), first == null ? null : first.nextUpdate(), actor,
                    approvedBy, breakGlass, answer, clock.instant().truncatedTo(ChronoUnit.MICROS));
            records.record(record);
            audit.record(AuditEvent.success(record.destroyedAt(), "key.destroyed", actor, details));
            return new Retired(record, crls);
        } catch (PkiException e) {
            details.put("kind", e.kind().name());
            details.put("why", e.publicDetail());
            audit.recordQuietly(AuditEvent.failure(clock.instant(), "key.destruction_refused", actor, details));
            throw e;
        }
    }

    /** The opened token that holds this key: the CA token for a CA, the OCSP token (or, before it, the CA token) for a signer. */
    private SigningKeys tokenOf(CaCertificate ca) {
        if (ca.record().role() == CaRole.OCSP_SIGNER) {
            if (ocspKeys != null && ocspKeys.find(ca.keyLabel()).isPresent()) {
                return ocspKeys;
            }
            if (caKeys != null && caKeys.find(ca.keyLabel()).isPresent()) {
                return caKeys; // an installation made before the OCSP signers had a token of their own
            }
            if (ocspKeys != null) {
                return ocspKeys;
            }
            throw new PkiException(ErrorKind.CONFIGURATION, "the key of OCSP signer '" + ca.name() + "' is in the "
                    + "OCSP token, which this process does not open: retire it on the CA host with "
                    + "'pki ca destroy-key " + ca.name() + "'");
        }
        if (caKeys == null) {
            throw new PkiException(ErrorKind.CONFIGURATION, "the key of '" + ca.name() + "' is in the CA token, which "
                    + "this process does not open");
        }
        return caKeys;
    }

    private static Instant later(Instant a, Instant b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
    }

    private static String hex(BigInteger serial) {
        return serial == null ? "?" : serial.toString(16);
    }

    private static String names(List<CaCertificate> cas) {
        List<String> out = new ArrayList<>();
        cas.forEach(c -> out.add(c.name()));
        return String.join(", ", out);
    }

    private static String cut(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
