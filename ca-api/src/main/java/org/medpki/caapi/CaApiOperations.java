package org.medpki.caapi;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.medpki.core.crl.CrlDistribution;
import org.medpki.core.crl.CrlDistributions;
import org.medpki.core.crl.CrlKind;
import org.medpki.core.crl.CrlScope;
import org.medpki.core.crl.CrlSigning;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.hierarchy.Hierarchy;
import org.medpki.core.hierarchy.OcspSignerCertifier;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.CertificateRecord;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.issuance.IssuanceService;
import org.medpki.core.issuance.IssueCommand;
import org.medpki.core.retirement.KeyDestruction;
import org.medpki.core.retirement.KeyRetirementService;
import org.medpki.core.revocation.CaRevocationService;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.core.revocation.RevocationService;

/**
 * The CA side of each API call: the caller's row of the authorisation table is checked first
 * (deny by default: UNAUTHORIZED), then the call goes to ca-core. Calls block (HSM, database).
 */
public final class CaApiOperations {

    /** The CA's services that the API exposes; {@code ocspSigners} may be null (not offered). */
    /** {@code caRevocations} and {@code caRollover} may be null (not offered). */
    public record Services(IssuanceService issuance, RevocationService revocation, CrlSigning crls,
                           CrlDistributions distributions, OcspSignerCertifier ocspSigners,
                           CaRevocationService caRevocations,
                           org.medpki.core.hierarchy.IssuingCaRollover caRollover) {
        public Services {
            Objects.requireNonNull(issuance, "issuance");
            Objects.requireNonNull(revocation, "revocation");
            Objects.requireNonNull(crls, "crls");
            Objects.requireNonNull(distributions, "distributions");
        }

        public Services(IssuanceService issuance, RevocationService revocation, CrlSigning crls,
                        CrlDistributions distributions, OcspSignerCertifier ocspSigners) {
            this(issuance, revocation, crls, distributions, ocspSigners, null, null);
        }

        /** {@code caRevocations} may be null (CA revocation not offered); no CA rollover. */
        public Services(IssuanceService issuance, RevocationService revocation, CrlSigning crls,
                        CrlDistributions distributions, OcspSignerCertifier ocspSigners,
                        CaRevocationService caRevocations) {
            this(issuance, revocation, crls, distributions, ocspSigners, caRevocations, null);
        }
    }

    private final Map<String, CallerPermissions> callers;
    private final Services services;
    private final org.medpki.core.hierarchy.ActiveIssuers issuers;
    private final Inventory inventory;
    private final String serviceProfile;
    private final KeyRetirementService keyRetirement;

    public CaApiOperations(Map<String, CallerPermissions> callers, Services services, Hierarchy hierarchy,
                           Inventory inventory, String serviceProfile) {
        this(callers, services, org.medpki.core.hierarchy.ActiveIssuers.fixed(hierarchy), inventory, serviceProfile,
                null);
    }

    /**
     * {@code issuers}: the hierarchy as it is now, so that a rollover reaches the API without a
     * restart; {@code keyRetirement}: retires CA keys ({@code key-destructions}); null offers none.
     */
    public CaApiOperations(Map<String, CallerPermissions> callers, Services services,
                           org.medpki.core.hierarchy.ActiveIssuers issuers, Inventory inventory, String serviceProfile,
                           KeyRetirementService keyRetirement) {
        this.keyRetirement = keyRetirement;
        this.callers = Map.copyOf(callers);
        this.services = services;
        this.issuers = issuers;
        this.inventory = inventory;
        this.serviceProfile = serviceProfile;
    }

    public JsonObject perform(CallerAuthenticator.Caller caller, CaApiOperation op, JsonObject body) {
        CallerPermissions may = callers.getOrDefault(caller.name(), CallerPermissions.none());
        String actor = "service:" + caller.name();
        return switch (op) {
            case ISSUE -> issue(caller, may, body);
            case REVOKE -> revoke(caller, may, body, actor);
            case PUBLISH_CRL -> publishCrl(caller, may, body);
            case CERTIFY_OCSP_SIGNER -> certifyOcspSigner(caller, may, body, actor);
            case RENEW_SERVICE_CERTIFICATE -> renew(caller, body);
            case REVOKE_CA -> revokeCa(caller, may, body, actor);
            case DESTROY_KEY -> destroyKey(caller, may, body);
            case ROLLOVER_CA -> rolloverCa(caller, may, body, actor);
        };
    }

    private JsonObject issue(CallerAuthenticator.Caller caller, CallerPermissions may, JsonObject body) {
        String profile = CaApiJson.string(body, "profile");
        if (!may.issue().contains(profile)) {
            throw refused(caller, "may not have certificates issued under profile " + profile);
        }
        // The requester recorded is always the caller's: "acme:<account>", never another service's.
        String requester = CaApiJson.string(body, "requester");
        if (!requester.startsWith(caller.name() + ":")) {
            requester = caller.name() + ":" + requester;
        }
        Set<String> usages = new HashSet<>();
        if (body.getValue("optionalUsages") != null) {
            for (Object u : CaApiJson.array(body, "optionalUsages")) {
                if (!(u instanceof String s)) {
                    throw CaApiJson.malformed("optionalUsages must be strings");
                }
                usages.add(s);
            }
        }
        Duration validity = null;
        if (body.getValue("validityDays") != null) {
            if (!(body.getValue("validityDays") instanceof Number n) || n.longValue() < 1 || n.longValue() > 3660) {
                throw CaApiJson.malformed("validityDays must be a number of days between 1 and 3660");
            }
            validity = Duration.ofDays(n.longValue());
        }
        // Names given by the caller are what it validated (ACME's authorisations), and nothing else
        // was: the subject keeps only a CN that is one of them.
        List<GeneralName> names = CaApiJson.names(body, "names");
        // An identity the caller assigns from its registry (a device's serial and names): the
        // request cannot widen it. It gives the caller nothing a CSR of its own could not ask for
        // under the same profile, so no permission of its own is needed.
        org.medpki.core.policy.AssignedIdentity assigned = null;
        if (body.getValue("subject") != null) {
            if (names != null) {
                throw CaApiJson.malformed("names and subject exclude each other");
            }
            org.bouncycastle.asn1.x500.X500Name subject;
            try {
                subject = org.bouncycastle.asn1.x500.X500Name.getInstance(CaApiJson.bytes(body, "subject"));
            } catch (RuntimeException e) {
                throw CaApiJson.malformed("subject must be a base64 DER Name");
            }
            List<GeneralName> assignedNames = CaApiJson.names(body, "assignedNames");
            assigned = new org.medpki.core.policy.AssignedIdentity(subject, assignedNames);
        }
        return CaApiJson.issued(services.issuance().issue(new IssueCommand(profile, CaApiJson.bytes(body, "csr"),
                requester, validity, names, usages, names != null, assigned)));
    }

    private JsonObject revoke(CallerAuthenticator.Caller caller, CallerPermissions may, JsonObject body,
                              String actor) {
        if (!may.revokeOwn() && !may.revokeAny()) {
            throw refused(caller, "may not revoke certificates");
        }
        BigInteger serial = CaApiJson.serial(body, "serial");
        // Optional, but a name when given: JsonObject.getString would turn a number into one.
        if (body.getValue("issuer") != null && !(body.getValue("issuer") instanceof String)) {
            throw CaApiJson.malformed("issuer must be the name of a CA");
        }
        String issuer = body.getString("issuer");
        RevocationReason reason;
        try {
            reason = RevocationReason.parse(CaApiJson.string(body, "reason"));
        } catch (IllegalArgumentException e) {
            throw new PkiException(ErrorKind.BAD_REVOCATION_REASON, e.getMessage());
        }
        List<CertificateRecord> records = inventory.certificatesWithSerial(serial).stream()
                .filter(r -> issuer == null || issuers.current().hierarchy().byId(r.caId()).map(CaCertificate::name)
                        .filter(issuer::equals).isPresent())
                .toList();
        if (records.isEmpty()) {
            throw new PkiException(ErrorKind.NOT_FOUND, "no certificate with serial " + serial.toString(16));
        }
        if (!may.revokeAny() && records.stream()
                .anyMatch(r -> r.requester() == null || !r.requester().startsWith(caller.name() + ":"))) {
            throw refused(caller, "may revoke only certificates it had issued");
        }
        String who = !(body.getValue("actor") instanceof String a) || a.isBlank() ? actor
                : a.startsWith(caller.name() + ":") ? a : caller.name() + ":" + a;
        CertificateRecord done = services.revocation().revoke(issuer, serial, reason, who, null);
        return new JsonObject().put("serial", done.serialHex()).put("status", "revoked");
    }

    private JsonObject publishCrl(CallerAuthenticator.Caller caller, CallerPermissions may, JsonObject body) {
        if (!may.crls()) {
            throw refused(caller, "may not have CRLs signed");
        }
        String name = CaApiJson.string(body, "ca");
        CaCertificate ca = issuers.current().hierarchy().byName(name)
                .orElseThrow(() -> new PkiException(ErrorKind.NOT_FOUND, "no CA named " + name));
        if (ca.record().role() == CaRole.ROOT) {
            return CaApiJson.crl(services.crls().publishRoot(ca));
        }
        if (ca.record().role() != CaRole.ISSUING) {
            throw new PkiException(ErrorKind.MALFORMED, name + " publishes no CRL");
        }
        CrlKind kind;
        try {
            kind = CrlKind.ofWireName(CaApiJson.string(body, "kind"));
        } catch (IllegalArgumentException e) {
            throw CaApiJson.malformed("kind must be full or delta");
        }
        if (!(body.getValue("shard") instanceof Integer shard)) {
            throw CaApiJson.malformed("shard must be a number");
        }
        CrlDistribution distribution = services.distributions().of(name);
        CrlScope scope;
        try {
            scope = new CrlScope(name, shard);
        } catch (IllegalArgumentException e) {
            throw CaApiJson.malformed(e.getMessage());
        }
        // The CA's CrlIssuer refuses (NOT_FOUND) a shard that is neither configured nor still in use.
        return CaApiJson.crl(services.crls().publish(ca, scope, kind, distribution));
    }

    private JsonObject certifyOcspSigner(CallerAuthenticator.Caller caller, CallerPermissions may, JsonObject body,
                                         String actor) {
        if (!may.ocspSigners()) {
            throw refused(caller, "may not have OCSP signers certified");
        }
        if (services.ocspSigners() == null) {
            throw new PkiException(ErrorKind.CONFIGURATION, "this CA does not certify OCSP signers over its API");
        }
        OcspSignerCertifier.CertifiedSigner s = services.ocspSigners().certify(CaApiJson.string(body, "issuingCa"),
                CaApiJson.bytes(body, "csr"), CaApiJson.string(body, "keyLabel"), actor);
        return new JsonObject().put("name", s.name()).put("certificate", CaApiJson.b64(s.certificateDer()))
                .put("notAfter", s.notAfter().toString());
    }

    /**
     * An issuing CA or OCSP signer certificate revoked: {@code ca} (its name), {@code reason}, and
     * optionally {@code actor} (recorded as "{caller}:{actor}") and {@code invalidityDate}.
     */
    private JsonObject revokeCa(CallerAuthenticator.Caller caller, CallerPermissions may, JsonObject body,
                                String actor) {
        if (!may.revokeCas()) {
            throw refused(caller, "may not revoke CA certificates");
        }
        if (services.caRevocations() == null) {
            throw new PkiException(ErrorKind.CONFIGURATION, "this CA does not revoke CA certificates over its API");
        }
        String name = CaApiJson.string(body, "ca");
        RevocationReason reason;
        try {
            reason = RevocationReason.parse(CaApiJson.string(body, "reason"));
        } catch (IllegalArgumentException e) {
            throw new PkiException(ErrorKind.BAD_REVOCATION_REASON, e.getMessage());
        }
        java.time.Instant invalidity = null;
        if (body.getValue("invalidityDate") != null) {
            try {
                invalidity = java.time.Instant.parse(CaApiJson.string(body, "invalidityDate"));
            } catch (java.time.format.DateTimeParseException e) {
                throw CaApiJson.malformed("invalidityDate must be an RFC 3339 time such as 2026-12-06T10:00:00Z");
            }
        }
        String who = !(body.getValue("actor") instanceof String a) || a.isBlank() ? actor
                : a.startsWith(caller.name() + ":") ? a : caller.name() + ":" + a;
        CaRevocationService.Revoked done = services.caRevocations().revoke(name, reason, invalidity, who);
        JsonObject out = new JsonObject().put("ca", done.name()).put("role", done.role().wireName())
                .put("issuer", done.issuer()).put("serial", done.serial().toString(16))
                .put("reason", done.reason().rfcName()).put("revokedAt", done.revokedAt().toString());
        if (done.arl() != null) {
            out.put("crlNumber", done.arl().number().toString());
        }
        return out;
    }

    /**
     * A retired CA key destroyed in the CA token after the caller's dual control: {@code ca} (the
     * CA's name), optionally {@code keySha256} (which of its keys), {@code actor} (who asked, recorded
     * as "{caller}:{actor}") and {@code approvers} (at least two names other than the actor).
     */
    private JsonObject destroyKey(CallerAuthenticator.Caller caller, CallerPermissions may, JsonObject body) {
        if (!may.destroyKeys()) {
            throw refused(caller, "may not have keys destroyed");
        }
        if (keyRetirement == null) {
            throw new PkiException(ErrorKind.CONFIGURATION, "this CA does not retire keys over its API");
        }
        String name = CaApiJson.string(body, "ca");
        String key = body.getValue("keySha256") == null ? null : CaApiJson.string(body, "keySha256");
        String asked = CaApiJson.string(body, "actor");
        String who = asked.startsWith(caller.name() + ":") ? asked : caller.name() + ":" + asked;
        java.util.List<String> approvers = new java.util.ArrayList<>();
        for (Object a : CaApiJson.array(body, "approvers")) {
            if (!(a instanceof String s) || s.isBlank() || s.length() > 200) {
                throw CaApiJson.malformed("approvers must be names");
            }
            String approver = s.startsWith(caller.name() + ":") ? s : caller.name() + ":" + s;
            if (approver.equals(who) || approvers.contains(approver)) {
                throw CaApiJson.malformed("approvers must be distinct and other than the requester");
            }
            approvers.add(approver);
        }
        if (approvers.size() < 2) {
            throw CaApiJson.malformed("a key is destroyed under dual control: at least two approvers other than the "
                    + "requester");
        }
        KeyRetirementService.Retired done = keyRetirement.retire(name, key, who, approvers);
        KeyDestruction r = done.record();
        JsonObject out = new JsonObject().put("ca", r.ca()).put("role", r.role().wireName())
                .put("keyLabel", r.keyLabel()).put("token", r.token()).put("keySha256", r.keySha256())
                .put("grounds", r.grounds()).put("lastExpiry", r.lastExpiry().toString())
                .put("tokenAnswer", r.tokenAnswer()).put("destroyedAt", r.destroyedAt().toString());
        if (r.finalCrlNumber() != null) {
            out.put("finalCrlNumber", r.finalCrlNumber().toString())
                    .put("finalCrlNextUpdate", r.finalCrlNextUpdate().toString());
        }
        return out;
    }

    /**
     * An issuing CA rolled over to a new key: {@code ca} (the name the profiles use), optional
     * {@code switchAt} (RFC 3339, default now) and {@code actor} (recorded as "{caller}:{actor}").
     */
    private JsonObject rolloverCa(CallerAuthenticator.Caller caller, CallerPermissions may, JsonObject body,
                                  String actor) {
        if (!may.rolloverCas()) {
            throw refused(caller, "may not have issuing CAs rolled over");
        }
        if (services.caRollover() == null) {
            throw new PkiException(ErrorKind.CONFIGURATION, "this CA does not roll issuing CAs over through its API");
        }
        String name = CaApiJson.string(body, "ca");
        java.time.Instant switchAt = null;
        if (body.getValue("switchAt") != null) {
            try {
                switchAt = java.time.Instant.parse(CaApiJson.string(body, "switchAt"));
            } catch (java.time.format.DateTimeParseException e) {
                throw CaApiJson.malformed("switchAt must be an RFC 3339 time such as 2026-12-24T06:00:00Z");
            }
        }
        String who = !(body.getValue("actor") instanceof String a) || a.isBlank() ? actor
                : a.startsWith(caller.name() + ":") ? a : caller.name() + ":" + a;
        org.medpki.core.hierarchy.IssuingCaRollover.RolledOver r = services.caRollover().rollover(name, switchAt, who);
        return new JsonObject().put("ca", r.issuerName()).put("previous", r.previous()).put("name", r.name())
                .put("generation", r.generation()).put("keyLabel", r.keyLabel()).put("keySha256", r.keySha256())
                .put("serial", r.serial().toString(16)).put("notAfter", r.notAfter().toString())
                .put("switchAt", r.switchAt().toString()).put("resumed", r.resumed());
    }

    /** A service renews its own certificate: same name (CN), no other names, its own new key. */
    private JsonObject renew(CallerAuthenticator.Caller caller, JsonObject body) {
        byte[] csr = CaApiJson.bytes(body, "csr");
        String cn;
        try {
            RDN[] cns = new PKCS10CertificationRequest(csr).getSubject().getRDNs(BCStyle.CN);
            cn = cns.length == 1 ? IETFUtils.valueToString(cns[0].getFirst().getValue()) : null;
        } catch (IOException | RuntimeException e) {
            throw new PkiException(ErrorKind.BAD_CSR, "the request is not a DER PKCS#10 request");
        }
        if (!caller.name().equals(cn)) {
            throw refused(caller, "may renew only a certificate for its own name");
        }
        // The same identity as the certificate it calls with: its names and its usages, nothing more.
        org.bouncycastle.cert.X509CertificateHolder current = inventory.certificatesWithSerial(caller.serial()).stream()
                .filter(r -> r.caId() == caller.caId() && serviceProfile.equals(r.profile()) && r.der() != null)
                .findFirst()
                .map(r -> {
                    try {
                        return new org.bouncycastle.cert.X509CertificateHolder(r.der());
                    } catch (IOException e) {
                        throw new PkiException(ErrorKind.INTERNAL, "a stored service certificate does not parse", e);
                    }
                })
                .orElseThrow(() -> refused(caller, "may renew only a service certificate the inventory holds"));
        org.bouncycastle.asn1.x509.GeneralNames sans = org.bouncycastle.asn1.x509.GeneralNames.fromExtensions(
                current.getExtensions(), org.bouncycastle.asn1.x509.Extension.subjectAlternativeName);
        org.bouncycastle.asn1.x509.ExtendedKeyUsage eku = org.bouncycastle.asn1.x509.ExtendedKeyUsage.fromExtensions(
                current.getExtensions());
        Set<String> usages = eku != null && eku.hasKeyPurposeId(org.bouncycastle.asn1.x509.KeyPurposeId.id_kp_serverAuth)
                ? Set.of("serverAuth") : Set.of();
        return CaApiJson.issued(services.issuance().issue(new IssueCommand(serviceProfile, csr,
                caller.name() + ":renewal", null, sans == null ? List.of() : List.of(sans.getNames()), usages)));
    }

    private static PkiException refused(CallerAuthenticator.Caller caller, String what) {
        return new PkiException(ErrorKind.UNAUTHORIZED, "service " + caller.name() + " " + what);
    }

}
