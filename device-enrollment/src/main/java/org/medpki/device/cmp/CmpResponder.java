package org.medpki.device.cmp;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.cmp.CMPCertificate;
import org.bouncycastle.asn1.cmp.CMPObjectIdentifiers;
import org.bouncycastle.asn1.cmp.ErrorMsgContent;
import org.bouncycastle.asn1.cmp.GenMsgContent;
import org.bouncycastle.asn1.cmp.GenRepContent;
import org.bouncycastle.asn1.cmp.InfoTypeAndValue;
import org.bouncycastle.asn1.cmp.PKIBody;
import org.bouncycastle.asn1.cmp.PKIFailureInfo;
import org.bouncycastle.asn1.cmp.PKIFreeText;
import org.bouncycastle.asn1.cmp.PKIHeader;
import org.bouncycastle.asn1.cmp.PKIHeaderBuilder;
import org.bouncycastle.asn1.cmp.PKIMessage;
import org.bouncycastle.asn1.cmp.PKIStatus;
import org.bouncycastle.asn1.cmp.PKIStatusInfo;
import org.bouncycastle.asn1.cmp.RevDetails;
import org.bouncycastle.asn1.cmp.RevRepContentBuilder;
import org.bouncycastle.asn1.cmp.RevReqContent;
import org.bouncycastle.asn1.crmf.CertId;
import org.bouncycastle.asn1.crmf.CertReqMessages;
import org.bouncycastle.asn1.crmf.CertReqMsg;
import org.bouncycastle.asn1.crmf.CertTemplate;
import org.bouncycastle.asn1.crmf.CRMFObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.cmp.CertificateConfirmationContent;
import org.bouncycastle.cert.cmp.CertificateStatus;
import org.bouncycastle.cert.cmp.GeneralPKIMessage;
import org.bouncycastle.cert.cmp.ProtectedPKIMessage;
import org.bouncycastle.cert.cmp.ProtectedPKIMessageBuilder;
import org.bouncycastle.cert.crmf.CertificateRepMessage;
import org.bouncycastle.cert.crmf.CertificateRepMessageBuilder;
import org.bouncycastle.cert.crmf.CertificateRequestMessage;
import org.bouncycastle.cert.crmf.CertificateResponseBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.device.DeviceEnrollment;
import org.medpki.device.DeviceEnrollment.Enrolled;
import org.medpki.device.DeviceEnrollment.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lightweight CMP profile (RFC 9483) over {@link DeviceEnrollment}: one DER PKIMessage in,
 * one out. Blocking (the enrollment port is). Requests are authenticated by their protection
 * before anything is asked of the enrollment port: a MAC with the device's enrollment code
 * (ir, cr, p10cr, genm), the device's manufacturer certificate (ir, cr), its current operational
 * certificate (kur, rr). Every refusal is a CMP error message; it is protected like the request
 * when the request's protection verified, signed by the service when the request was signed,
 * unprotected otherwise.
 */
public final class CmpResponder {
    private static final Logger LOG = LoggerFactory.getLogger(CmpResponder.class);
    private static final Protocol CMP = Protocol.CMP;
    /** How far a request's messageTime may be from ours (RFC 9483 3.5: a sane clock, not an exact one). */
    static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(10);
    private static final int MAX_ID_BYTES = 128;

    /** The answer: HTTP status and DER PKIMessage. */
    public record Reply(int httpStatus, byte[] body) {
    }

    private final DeviceEnrollment enrollment;
    private final CmpSigner signer;
    private final List<X509CertificateHolder> signerChain;
    private final CmpTransactions transactions;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public CmpResponder(DeviceEnrollment enrollment, CmpConfig config, Clock clock) {
        this.enrollment = enrollment;
        this.signer = config.signer();
        this.signerChain = signer.holders();
        this.transactions = new CmpTransactions(config.maxPendingTransactions(), config.transactionTimeout(), clock);
        this.clock = clock;
    }

    /** A refusal in CMP's terms: the failInfo bit, a text for the device, and how to protect the answer. */
    static final class Refusal extends RuntimeException {
        final int failInfo;
        final CmpProtection protection;

        Refusal(int failInfo, String text, CmpProtection protection) {
            super(text, null, false, false);
            this.failInfo = failInfo;
            this.protection = protection;
        }
    }

    int pendingTransactions() {
        return transactions.size();
    }

    public Reply handle(byte[] der) {
        PKIMessage message;
        try {
            message = PKIMessage.getInstance(ASN1Primitive.fromByteArray(der));
            // Touches every part of the header so that a malformed one fails here.
            PKIHeader h = message.getHeader();
            h.getSender();
            h.getRecipient();
            h.getGeneralInfo();
            message.getBody().getType();
            message.getExtraCerts();
        } catch (Exception e) {
            LOG.info("CMP refused a request that is not a DER PKIMessage ({} bytes)", der.length);
            return new Reply(400, unprotected(null, PKIFailureInfo.badDataFormat,
                    "the request is not a DER-encoded PKIMessage"));
        }
        PKIHeader header = message.getHeader();
        CmpProtection protection = new CmpProtection.None();
        if (message.getProtection() != null && !CmpProtection.Mac.isMac(header.getProtectionAlg())) {
            // Answers to signed requests are signed, whatever happens next.
            protection = new CmpProtection.Signed(null);
        }
        try {
            checkHeader(header, protection);
            return new Reply(200, dispatch(message));
        } catch (Refusal r) {
            LOG.info("CMP refused a {} request: {}", bodyName(message.getBody().getType()), r.getMessage());
            return new Reply(200, answer(header, r.protection, error(r.failInfo, r.getMessage()), List.of(), false));
        } catch (RuntimeException e) {
            LOG.warn("CMP request failed", e);
            CmpProtection p = protection instanceof CmpProtection.Signed ? protection : new CmpProtection.None();
            return new Reply(200, answer(header, p, error(PKIFailureInfo.systemFailure, "internal error"), List.of(),
                    false));
        }
    }

    private void checkHeader(PKIHeader header, CmpProtection protection) {
        int pvno = header.getPvno().getValue().bitLength() > 8 ? -1 : header.getPvno().getValue().intValue();
        if (pvno != PKIHeader.CMP_2000 && pvno != PKIHeader.CMP_2021) {
            throw new Refusal(PKIFailureInfo.unsupportedVersion, "pvno must be 2 or 3", protection);
        }
        ASN1OctetString tid = header.getTransactionID();
        if (tid == null || tid.getOctets().length == 0 || tid.getOctets().length > MAX_ID_BYTES) {
            throw new Refusal(PKIFailureInfo.badRequest, "a transactionID of 1 to 128 bytes is required", protection);
        }
        ASN1OctetString nonce = header.getSenderNonce();
        if (nonce == null || nonce.getOctets().length == 0 || nonce.getOctets().length > MAX_ID_BYTES) {
            throw new Refusal(PKIFailureInfo.badSenderNonce, "a senderNonce of 1 to 128 bytes is required",
                    protection);
        }
        if (header.getMessageTime() != null) {
            Instant t;
            try {
                t = header.getMessageTime().getDate().toInstant();
            } catch (Exception e) {
                throw new Refusal(PKIFailureInfo.badTime, "unreadable messageTime", protection);
            }
            if (Duration.between(t, clock.instant()).abs().compareTo(MAX_CLOCK_SKEW) > 0) {
                throw new Refusal(PKIFailureInfo.badTime, "messageTime is more than " + MAX_CLOCK_SKEW.toMinutes()
                        + " minutes from the server's time", protection);
            }
        }
        if (header.getSenderKID() != null && header.getSenderKID().getOctets().length > MAX_ID_BYTES) {
            throw new Refusal(PKIFailureInfo.badRequest, "senderKID longer than 128 bytes", protection);
        }
    }

    private byte[] dispatch(PKIMessage message) {
        int type = message.getBody().getType();
        return switch (type) {
            case PKIBody.TYPE_INIT_REQ, PKIBody.TYPE_CERT_REQ -> enroll(message);
            case PKIBody.TYPE_P10_CERT_REQ -> enroll(message);
            case PKIBody.TYPE_KEY_UPDATE_REQ -> keyUpdate(message);
            case PKIBody.TYPE_REVOCATION_REQ -> revoke(message);
            case PKIBody.TYPE_CERT_CONFIRM -> confirm(message);
            case PKIBody.TYPE_GEN_MSG -> general(message);
            default -> throw new Refusal(PKIFailureInfo.badRequest, "the server does not accept " + bodyName(type)
                    + " messages", protection(message));
        };
    }

    private static CmpProtection protection(PKIMessage m) {
        return m.getProtection() != null && !CmpProtection.Mac.isMac(m.getHeader().getProtectionAlg())
                ? new CmpProtection.Signed(null) : new CmpProtection.None();
    }

    // ---------------------------------------------------------------- authentication

    /** Who authenticated the request, and how the answer is protected. */
    private record Authenticated(CmpProtection protection, String serial, List<X509CertificateHolder> chain) {
    }

    /**
     * Checks the request's protection: a MAC with the enrollment code of the device its senderKID
     * names, or a signature by the first certificate of extraCerts (whose trust the caller decides).
     */
    private Authenticated authenticate(PKIMessage message) {
        PKIHeader header = message.getHeader();
        if (message.getProtection() == null || header.getProtectionAlg() == null) {
            enrollment.authenticationFailed(CMP, kidText(header), "CMP request without protection");
            throw new Refusal(PKIFailureInfo.badMessageCheck, "the request must be protected",
                    new CmpProtection.None());
        }
        ProtectedPKIMessage protectedMessage = new ProtectedPKIMessage(new GeneralPKIMessage(message));
        if (CmpProtection.Mac.isMac(header.getProtectionAlg())) {
            String serial = kidText(header);
            if (serial == null) {
                enrollment.authenticationFailed(CMP, null, "MAC-protected CMP request without a usable senderKID");
                throw new Refusal(PKIFailureInfo.badMessageCheck,
                        "MAC-based protection needs the device serial as senderKID", new CmpProtection.None());
            }
            String bad = CmpProtection.Mac.checkParameters(header.getProtectionAlg());
            if (bad != null) {
                enrollment.authenticationFailed(CMP, serial, "CMP MAC parameters refused: " + bad);
                throw new Refusal(PKIFailureInfo.badAlg, bad, new CmpProtection.None());
            }
            Optional<byte[]> secret = enrollment.macSecret(serial);
            CmpProtection.Mac mac = secret.map(s -> new CmpProtection.Mac(header.getProtectionAlg(), s,
                    header.getSenderKID().getOctets())).orElse(null);
            if (mac == null || !mac.verifies(protectedMessage)) {
                // The same answer for an unknown device and a wrong code: no oracle for serials.
                enrollment.authenticationFailed(CMP, serial, mac == null
                        ? "CMP MAC for a device without a usable enrollment code" : "CMP MAC does not verify");
                if (mac != null) {
                    mac.wipe();
                }
                throw new Refusal(PKIFailureInfo.badMessageCheck, "MAC-based protection does not verify",
                        new CmpProtection.None());
            }
            return new Authenticated(mac, serial, List.of());
        }
        CmpProtection signed = new CmpProtection.Signed(null);
        X509CertificateHolder[] extra = protectedMessage.getCertificates();
        if (extra.length == 0) {
            enrollment.authenticationFailed(CMP, kidText(header), "signed CMP request without its certificate");
            throw new Refusal(PKIFailureInfo.badMessageCheck,
                    "signature-based protection needs the signer's certificate first in extraCerts", signed);
        }
        X509CertificateHolder cert = extra[0];
        String claimed = cert.getSubject().toString();
        if (!cert.isValidOn(Date.from(clock.instant()))) {
            enrollment.authenticationFailed(CMP, claimed, "CMP request signed with a certificate outside its validity");
            throw new Refusal(PKIFailureInfo.badMessageCheck, "the protection certificate is not valid now", signed);
        }
        if (header.getSender().getTagNo() != GeneralName.directoryName
                || !X500Name.getInstance(header.getSender().getName()).equals(cert.getSubject())) {
            enrollment.authenticationFailed(CMP, claimed, "CMP sender differs from the protection certificate");
            throw new Refusal(PKIFailureInfo.badMessageCheck,
                    "the sender must be the subject of the protection certificate", signed);
        }
        if (!new CmpProtection.Signed(cert).verifies(protectedMessage)) {
            enrollment.authenticationFailed(CMP, claimed, "CMP signature does not verify");
            throw new Refusal(PKIFailureInfo.badMessageCheck, "signature-based protection does not verify", signed);
        }
        return new Authenticated(new CmpProtection.Signed(cert), null, List.of(extra));
    }

    /** The request's senderKID as the device serial it names, or null when it is not printable text. */
    private static String kidText(PKIHeader header) {
        if (header.getSenderKID() == null) {
            return null;
        }
        byte[] kid = header.getSenderKID().getOctets();
        if (kid.length == 0 || kid.length > 64) {
            return null;
        }
        for (byte b : kid) {
            if (b < 0x21 || b > 0x7e) {
                return null;
            }
        }
        return new String(kid, StandardCharsets.US_ASCII);
    }

    /** A device's current certificate must be one of ours (kur, rr): issued by a CA the enrollment port names. */
    private X509Certificate ourCertificate(X509CertificateHolder holder, CmpProtection answer) {
        X509Certificate cert;
        try {
            cert = new JcaX509CertificateConverter().getCertificate(holder);
        } catch (Exception e) {
            throw new Refusal(PKIFailureInfo.badCertId, "the protection certificate cannot be read", answer);
        }
        for (X509Certificate ca : enrollment.caCertificates()) {
            if (ca.getSubjectX500Principal().equals(cert.getIssuerX500Principal()) && !ca.equals(cert)) {
                try {
                    cert.verify(ca.getPublicKey());
                    return cert;
                } catch (Exception e) {
                    // another CA of the same name, or a forgery: try the rest
                }
            }
        }
        enrollment.authenticationFailed(CMP, holder.getSubject().toString(),
                "CMP request signed with a certificate this CA did not issue");
        throw new Refusal(PKIFailureInfo.notAuthorized, "the protection certificate was not issued by this CA", answer);
    }

    // ---------------------------------------------------------------- ir, cr, p10cr, kur

    private byte[] enroll(PKIMessage message) {
        Authenticated auth = authenticate(message);
        PKIHeader header = message.getHeader();
        int type = message.getBody().getType();
        refuseTransactionInUse(header, auth.protection());
        Request request = request(message, auth.protection());
        Enrolled enrolled = call(auth.protection(), () -> auth.protection() instanceof CmpProtection.Mac mac
                ? enrollment.enrollWithCode(CMP, auth.serial(), new String(mac.secret(), StandardCharsets.UTF_8),
                        request.der())
                : enrollment.enrollWithManufacturerCertificate(CMP, jdk(auth.chain(), auth.protection()),
                        request.der()));
        return issued(message, type == PKIBody.TYPE_INIT_REQ ? PKIBody.TYPE_INIT_REP : PKIBody.TYPE_CERT_REP,
                auth, request, enrolled);
    }

    private byte[] keyUpdate(PKIMessage message) {
        Authenticated auth = authenticate(message);
        if (!(auth.protection() instanceof CmpProtection.Signed signed)) {
            throw new Refusal(PKIFailureInfo.notAuthorized,
                    "kur must be signed with the certificate it updates", auth.protection());
        }
        X509Certificate current = ourCertificate(signed.certificate(), signed);
        refuseTransactionInUse(message.getHeader(), signed);
        Request request = request(message, signed);
        if (request.oldCertId() != null && !(request.oldCertId().getSerialNumber().getValue()
                .equals(current.getSerialNumber()) && X500Name.getInstance(request.oldCertId().getIssuer().getName())
                .equals(signed.certificate().getIssuer()))) {
            throw new Refusal(PKIFailureInfo.badCertId, "oldCertID does not name the protection certificate", signed);
        }
        Enrolled enrolled = call(signed, () -> enrollment.reenroll(CMP, current, request.der()));
        return issued(message, PKIBody.TYPE_KEY_UPDATE_REP, auth, request, enrolled);
    }

    private void refuseTransactionInUse(PKIHeader header, CmpProtection answer) {
        if (transactions.inUse(header.getTransactionID().getOctets())) {
            throw new Refusal(PKIFailureInfo.transactionIdInUse, "the transactionID is in use", answer);
        }
    }

    /** The one request of the message, its POP checked, in DER for the CA; certReqId -1 for p10cr. */
    private record Request(byte[] der, BigInteger certReqId, CertId oldCertId) {
    }

    private Request request(PKIMessage message, CmpProtection answer) {
        PKIBody body = message.getBody();
        if (body.getType() == PKIBody.TYPE_P10_CERT_REQ) {
            try {
                var csr = new org.bouncycastle.pkcs.PKCS10CertificationRequest(
                        org.bouncycastle.asn1.pkcs.CertificationRequest.getInstance(body.getContent()));
                if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(CmpProtection.BC)
                        .build(csr.getSubjectPublicKeyInfo()))) {
                    throw new Refusal(PKIFailureInfo.badPOP, "the CSR's signature does not verify", answer);
                }
                return new Request(csr.getEncoded(), BigInteger.ONE.negate(), null);
            } catch (Refusal r) {
                throw r;
            } catch (Exception e) {
                throw new Refusal(PKIFailureInfo.badRequest, "the PKCS#10 request cannot be read", answer);
            }
        }
        CertReqMsg[] msgs;
        try {
            msgs = CertReqMessages.getInstance(body.getContent()).toCertReqMsgArray();
        } catch (RuntimeException e) {
            throw new Refusal(PKIFailureInfo.badRequest, "the certificate request cannot be read", answer);
        }
        if (msgs.length != 1) {
            throw new Refusal(PKIFailureInfo.badRequest, "exactly one certificate request per message", answer);
        }
        CertificateRequestMessage crm = new CertificateRequestMessage(msgs[0]);
        CertTemplate template = crm.getCertTemplate();
        if (template.getPublicKey() == null) {
            throw new Refusal(PKIFailureInfo.badCertTemplate, "the certTemplate must hold the public key", answer);
        }
        if (!crm.hasProofOfPossession() || crm.getProofOfPossessionType() != CertificateRequestMessage.popSigningKey
                || crm.hasSigningKeyProofOfPossessionWithPKMAC()) {
            throw new Refusal(PKIFailureInfo.badPOP, "only a signature proof of possession is accepted", answer);
        }
        ContentVerifierProvider verifier;
        try {
            verifier = new JcaContentVerifierProviderBuilder().setProvider(CmpProtection.BC).build(template.getPublicKey());
        } catch (Exception e) {
            throw new Refusal(PKIFailureInfo.badCertTemplate, "the certTemplate's public key cannot be used", answer);
        }
        boolean pop;
        try {
            pop = crm.isValidSigningKeyPOP(verifier);
        } catch (Exception e) {
            pop = false;
        }
        if (!pop) {
            throw new Refusal(PKIFailureInfo.badPOP, "the proof of possession does not verify", answer);
        }
        CertId oldCertId = null;
        try {
            if (crm.hasControl(CRMFObjectIdentifiers.id_regCtrl_oldCertID)) {
                oldCertId = CertId.getInstance(crm.getControlValue(CRMFObjectIdentifiers.id_regCtrl_oldCertID));
            }
            return new Request(msgs[0].getEncoded(ASN1Encoding.DER), crm.getCertReqId().getValue(), oldCertId);
        } catch (IOException | RuntimeException e) {
            throw new Refusal(PKIFailureInfo.badRequest, "the certificate request cannot be read", answer);
        }
    }

    /** ip, cp or kup with the certificate; pending its certConf unless implicitConfirm was asked for (and is granted). */
    private byte[] issued(PKIMessage message, int replyType, Authenticated auth, Request request, Enrolled enrolled) {
        PKIHeader header = message.getHeader();
        X509CertificateHolder cert = holder(enrolled.certificate());
        List<X509CertificateHolder> chain = new ArrayList<>();
        for (X509Certificate c : enrolled.chain()) {
            chain.add(holder(c));
        }
        // RFC 9483 4.1.1: with MAC-based protection the root is given in caPubs, a trust anchor
        // the device may take on the strength of the shared secret.
        List<X509CertificateHolder> caPubs = new ArrayList<>();
        if (auth.protection() instanceof CmpProtection.Mac && !chain.isEmpty()
                && chain.getLast().getSubject().equals(chain.getLast().getIssuer())) {
            caPubs.add(chain.getLast());
        }
        BigInteger certReqId = request.certReqId();
        CertificateRepMessageBuilder rep = new CertificateRepMessageBuilder(caPubs.toArray(X509CertificateHolder[]::new));
        rep.addCertificateResponse(new CertificateResponseBuilder(new ASN1Integer(certReqId),
                new PKIStatusInfo(PKIStatus.granted)).withCertificate(cert).build());
        CertificateRepMessage content = rep.build();
        boolean implicit = asksImplicitConfirm(header);
        byte[] nonce = nonce();
        byte[] answer = answer(header, auth.protection(), new PKIBody(replyType, content.toASN1Structure()), chain,
                implicit, nonce);
        if (!implicit) {
            transactions.put(header.getTransactionID().getOctets(), cert, certReqId, nonce, auth.protection(),
                    enrolled.deviceSerial());
        }
        LOG.info("CMP {} for device {}: certificate {} issued{}", bodyName(message.getBody().getType()),
                enrolled.deviceSerial(), enrolled.certificate().getSerialNumber().toString(16),
                implicit ? " (implicitly confirmed)" : ", awaiting certConf");
        return answer;
    }

    private static boolean asksImplicitConfirm(PKIHeader header) {
        InfoTypeAndValue[] info = header.getGeneralInfo();
        if (info != null) {
            for (InfoTypeAndValue itv : info) {
                if (CMPObjectIdentifiers.it_implicitConfirm.equals(itv.getInfoType())) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- certConf

    private byte[] confirm(PKIMessage message) {
        PKIHeader header = message.getHeader();
        byte[] tid = header.getTransactionID().getOctets();
        CmpTransactions.Pending pending = transactions.get(tid);
        if (pending == null) {
            throw new Refusal(PKIFailureInfo.badRequest, "no certificate of this transaction awaits confirmation",
                    protection(message));
        }
        CmpProtection p = pending.protection();
        if (message.getProtection() == null || header.getProtectionAlg() == null) {
            enrollment.authenticationFailed(CMP, pending.requester(), "unprotected CMP certConf");
            throw new Refusal(PKIFailureInfo.badMessageCheck, "the certConf must be protected",
                    p instanceof CmpProtection.Signed ? p : new CmpProtection.None());
        }
        ProtectedPKIMessage pm = new ProtectedPKIMessage(new GeneralPKIMessage(message));
        boolean ok = switch (p) {
            case CmpProtection.Mac mac -> CmpProtection.Mac.isMac(header.getProtectionAlg())
                    && CmpProtection.Mac.checkParameters(header.getProtectionAlg()) == null
                    && new CmpProtection.Mac(header.getProtectionAlg(), mac.secret(), null).verifies(pm);
            case CmpProtection.Signed s -> !CmpProtection.Mac.isMac(header.getProtectionAlg()) && s.verifies(pm);
            case CmpProtection.None n -> false;
        };
        if (!ok) {
            enrollment.authenticationFailed(CMP, pending.requester(), "CMP certConf protection does not verify");
            throw new Refusal(PKIFailureInfo.badMessageCheck, "the certConf's protection does not verify",
                    p instanceof CmpProtection.Signed ? p : new CmpProtection.None());
        }
        if (header.getRecipNonce() == null
                || !MessageDigest.isEqual(header.getRecipNonce().getOctets(), pending.senderNonce())) {
            throw new Refusal(PKIFailureInfo.badRecipientNonce, "recipNonce does not echo the server's senderNonce", p);
        }
        CertificateStatus[] statuses;
        try {
            statuses = CertificateConfirmationContent.fromPKIBody(message.getBody()).getStatusMessages();
        } catch (RuntimeException e) {
            throw new Refusal(PKIFailureInfo.badRequest, "the certConf cannot be read", p);
        }
        if (statuses.length != 1 || !statuses[0].getCertRequestID().equals(pending.certReqId())) {
            throw new Refusal(PKIFailureInfo.badRequest, "the certConf must confirm the one certificate requested", p);
        }
        boolean hashOk;
        try {
            hashOk = statuses[0].isVerified(pending.certificate(), new JcaDigestCalculatorProviderBuilder()
                    .setProvider(CmpProtection.BC).build());
        } catch (Exception e) {
            hashOk = false;
        }
        if (!hashOk) {
            throw new Refusal(PKIFailureInfo.badCertId, "certHash does not match the certificate issued", p);
        }
        PKIStatusInfo status = statuses[0].getStatusInfo();
        byte[] answer = answer(header, p, new PKIBody(PKIBody.TYPE_CONFIRM, DERNull.INSTANCE), List.of(), false);
        transactions.remove(tid);
        if (status != null && status.getStatus().intValue() == PKIStatus.REJECTION) {
            revokeRejected(pending);
        } else {
            LOG.info("CMP certConf: device {} confirmed certificate {}", pending.requester(),
                    pending.certificate().getSerialNumber().toString(16));
        }
        return answer;
    }

    /**
     * A device that rejects its new certificate (RFC 9483 4.1.1) will not use it: it is revoked,
     * authenticated by itself, so that it does not stay valid unused.
     */
    private void revokeRejected(CmpTransactions.Pending pending) {
        BigInteger serial = pending.certificate().getSerialNumber();
        LOG.warn("CMP certConf: device {} rejected certificate {}; revoking it", pending.requester(), serial.toString(16));
        try {
            enrollment.revoke(CMP, new JcaX509CertificateConverter().getCertificate(pending.certificate()), serial,
                    RevocationReason.CESSATION_OF_OPERATION);
        } catch (Exception e) {
            LOG.warn("CMP could not revoke the rejected certificate {}: {}", serial.toString(16),
                    e instanceof PkiException pe ? pe.publicDetail() : e.getClass().getSimpleName());
        }
    }

    // ---------------------------------------------------------------- rr

    private byte[] revoke(PKIMessage message) {
        Authenticated auth = authenticate(message);
        if (!(auth.protection() instanceof CmpProtection.Signed signed)) {
            throw new Refusal(PKIFailureInfo.notAuthorized,
                    "rr must be signed with a current certificate of the device", auth.protection());
        }
        X509Certificate current = ourCertificate(signed.certificate(), signed);
        RevDetails[] details;
        try {
            details = RevReqContent.getInstance(message.getBody().getContent()).toRevDetailsArray();
        } catch (RuntimeException e) {
            throw new Refusal(PKIFailureInfo.badRequest, "the revocation request cannot be read", signed);
        }
        if (details.length != 1) {
            throw new Refusal(PKIFailureInfo.badRequest, "exactly one certificate per revocation request", signed);
        }
        CertTemplate t = details[0].getCertDetails();
        if (t.getSerialNumber() == null || t.getIssuer() == null) {
            throw new Refusal(PKIFailureInfo.addInfoNotAvailable, "the certTemplate must name issuer and serialNumber",
                    signed);
        }
        if (!t.getIssuer().equals(signed.certificate().getIssuer())) {
            throw new Refusal(PKIFailureInfo.badCertId, "the certificate to revoke is not from this CA", signed);
        }
        RevocationReason reason = RevocationReason.UNSPECIFIED;
        try {
            if (details[0].getCrlEntryDetails() != null) {
                Extension ext = details[0].getCrlEntryDetails().getExtension(Extension.reasonCode);
                if (ext != null) {
                    reason = RevocationReason.ofCode(CRLReason.getInstance(ext.getParsedValue()).getValue().intValueExact());
                }
            }
        } catch (RuntimeException e) {
            throw new Refusal(PKIFailureInfo.badRequest, "the revocation reason is not an RFC 5280 reason", signed);
        }
        BigInteger serial = t.getSerialNumber().getValue();
        RevocationReason r = reason;
        call(signed, () -> {
            enrollment.revoke(CMP, current, serial, r);
            return null;
        });
        LOG.info("CMP rr: certificate {} revoked ({}) on the request of {}", serial.toString(16), r.rfcName(),
                signed.certificate().getSubject());
        var content = new RevRepContentBuilder().add(new PKIStatusInfo(PKIStatus.granted),
                new CertId(new GeneralName(t.getIssuer()), serial)).build();
        return answer(message.getHeader(), signed, new PKIBody(PKIBody.TYPE_REVOCATION_REP, content), List.of(), false);
    }

    // ---------------------------------------------------------------- genm

    private byte[] general(PKIMessage message) {
        Authenticated auth = authenticate(message);
        {
            InfoTypeAndValue[] asked;
            try {
                asked = GenMsgContent.getInstance(message.getBody().getContent()).toInfoTypeAndValueArray();
            } catch (RuntimeException e) {
                throw new Refusal(PKIFailureInfo.badRequest, "the general message cannot be read", auth.protection());
            }
            if (asked.length == 0 || asked.length > 8) {
                throw new Refusal(PKIFailureInfo.badRequest, "a general message asks for 1 to 8 items",
                        auth.protection());
            }
            List<InfoTypeAndValue> answers = new ArrayList<>();
            for (InfoTypeAndValue itv : asked) {
                answers.add(info(itv));
            }
            return answer(message.getHeader(), auth.protection(),
                    new PKIBody(PKIBody.TYPE_GEN_REP, new GenRepContent(answers.toArray(InfoTypeAndValue[]::new))),
                    List.of(), false);
        }
    }

    /**
     * RFC 9483 4.3: caCerts with the CA certificates; rootCaCert answered "no update" (a root
     * rollover is distributed by other means); certReqTemplate and any other type with the type
     * and no value, which says the server has nothing for it.
     */
    private InfoTypeAndValue info(InfoTypeAndValue asked) {
        var type = asked.getInfoType();
        if (CMPObjectIdentifiers.id_it_caCerts.equals(type)) {
            List<X509Certificate> cas = enrollment.caCertificates();
            if (cas.isEmpty()) {
                return new InfoTypeAndValue(type);
            }
            ASN1Encodable[] certs = new ASN1Encodable[cas.size()];
            for (int i = 0; i < certs.length; i++) {
                certs[i] = new CMPCertificate(holder(cas.get(i)).toASN1Structure());
            }
            return new InfoTypeAndValue(type, new DERSequence(certs));
        }
        if (CMPObjectIdentifiers.id_it_rootCaCert.equals(type)) {
            return new InfoTypeAndValue(CMPObjectIdentifiers.id_it_rootCaKeyUpdate);
        }
        return new InfoTypeAndValue(type);
    }

    // ---------------------------------------------------------------- answers

    private interface Call<T> {
        T run();
    }

    /** Runs an enrollment port call; its refusals become CMP refusals (each already audited by the port). */
    private static <T> T call(CmpProtection answer, Call<T> call) {
        try {
            return call.run();
        } catch (PkiException e) {
            throw new Refusal(failInfo(e.kind()), text(e), answer);
        }
    }

    static int failInfo(ErrorKind kind) {
        return switch (kind) {
            case UNAUTHORIZED -> PKIFailureInfo.notAuthorized;
            case BAD_CSR, BAD_PUBLIC_KEY, REJECTED_IDENTIFIER, UNKNOWN_PROFILE, LINT_FAILED -> PKIFailureInfo.badCertTemplate;
            case BAD_SIGNATURE_ALGORITHM -> PKIFailureInfo.badAlg;
            case MALFORMED -> PKIFailureInfo.badDataFormat;
            case NOT_FOUND -> PKIFailureInfo.badCertId;
            case ALREADY_REVOKED -> PKIFailureInfo.certRevoked;
            case BAD_REVOCATION_REASON -> PKIFailureInfo.badRequest;
            case CONFLICT -> PKIFailureInfo.duplicateCertReq;
            case CA_UNAVAILABLE, DATABASE_UNAVAILABLE, TOKEN_UNAVAILABLE, TOKEN_LOGIN_FAILED -> PKIFailureInfo.systemUnavail;
            default -> PKIFailureInfo.systemFailure;
        };
    }

    private static String text(PkiException e) {
        return switch (e.kind()) {
            case CA_UNAVAILABLE, DATABASE_UNAVAILABLE, TOKEN_UNAVAILABLE, TOKEN_LOGIN_FAILED ->
                    "the CA is unavailable, retry later";
            case INTERNAL, CONFIGURATION, KEY_NOT_FOUND -> "internal error";
            default -> e.publicDetail();
        };
    }

    private static PKIBody error(int failInfo, String text) {
        return new PKIBody(PKIBody.TYPE_ERROR, new ErrorMsgContent(new PKIStatusInfo(PKIStatus.rejection,
                new PKIFreeText(text), new PKIFailureInfo(failInfo))));
    }

    private byte[] answer(PKIHeader request, CmpProtection protection, PKIBody body, List<X509CertificateHolder> extra,
                          boolean implicitConfirm) {
        return answer(request, protection, body, extra, implicitConfirm, nonce());
    }

    /**
     * A response to {@code request}: its transactionID, its senderNonce as recipNonce, our name
     * as sender; MAC-protected with the device's secret, signed with the service key (the service
     * certificate and its chain first in extraCerts), or unprotected.
     */
    private byte[] answer(PKIHeader request, CmpProtection protection, PKIBody body, List<X509CertificateHolder> extra,
                          boolean implicitConfirm, byte[] senderNonce) {
        int pvno = request != null && BigInteger.valueOf(PKIHeader.CMP_2021).equals(request.getPvno().getValue())
                ? PKIHeader.CMP_2021 : PKIHeader.CMP_2000;
        GeneralName sender = new GeneralName(signerChain.getFirst().getSubject());
        GeneralName recipient = request != null ? request.getSender() : new GeneralName(X500Name.getInstance(
                new DERSequence()));
        try {
            if (protection instanceof CmpProtection.None) {
                return unprotected(request, body, extra, senderNonce);
            }
            ProtectedPKIMessageBuilder b = new ProtectedPKIMessageBuilder(pvno, sender, recipient)
                    .setMessageTime(Date.from(clock.instant())).setSenderNonce(senderNonce).setBody(body);
            if (request.getTransactionID() != null) {
                b.setTransactionID(request.getTransactionID().getOctets());
            }
            if (request.getSenderNonce() != null) {
                b.setRecipNonce(request.getSenderNonce().getOctets());
            }
            if (implicitConfirm) {
                b.addGeneralInfo(new InfoTypeAndValue(CMPObjectIdentifiers.it_implicitConfirm, DERNull.INSTANCE));
            }
            if (protection instanceof CmpProtection.Mac mac) {
                if (mac.senderKid() != null) {
                    b.setSenderKID(mac.senderKid());
                }
                extra.forEach(b::addCMPCertificate);
                return b.build(mac.answerCalculator()).toASN1Structure().getEncoded(ASN1Encoding.DER);
            }
            SubjectKeyIdentifier ski = SubjectKeyIdentifier.fromExtensions(signerChain.getFirst().getExtensions());
            if (ski != null) {
                b.setSenderKID(ski.getKeyIdentifier());
            }
            // RFC 9483 3.3: the protection certificate first, then its chain, then the rest.
            signerChain.forEach(b::addCMPCertificate);
            for (X509CertificateHolder c : extra) {
                if (!signerChain.contains(c)) {
                    b.addCMPCertificate(c);
                }
            }
            return b.build(signer.contentSigner()).toASN1Structure().getEncoded(ASN1Encoding.DER);
        } catch (Exception e) {
            LOG.warn("CMP could not protect an answer: {}", e.toString());
            return unprotected(request, error(PKIFailureInfo.systemFailure, "internal error"), List.of(), senderNonce);
        }
    }

    private byte[] unprotected(PKIHeader request, int failInfo, String text) {
        return unprotected(request, error(failInfo, text), List.of(), nonce());
    }

    private byte[] unprotected(PKIHeader request, PKIBody body, List<X509CertificateHolder> extra, byte[] senderNonce) {
        int pvno = request != null && BigInteger.valueOf(PKIHeader.CMP_2021).equals(request.getPvno().getValue())
                ? PKIHeader.CMP_2021 : PKIHeader.CMP_2000;
        GeneralName recipient = request != null ? request.getSender()
                : new GeneralName(new X500Name(new org.bouncycastle.asn1.x500.RDN[0]));
        PKIHeaderBuilder h = new PKIHeaderBuilder(pvno, new GeneralName(signerChain.getFirst().getSubject()), recipient)
                .setMessageTime(new org.bouncycastle.asn1.DERGeneralizedTime(Date.from(clock.instant())))
                .setSenderNonce(senderNonce);
        if (request != null && request.getTransactionID() != null) {
            h.setTransactionID(request.getTransactionID());
        }
        if (request != null && request.getSenderNonce() != null) {
            h.setRecipNonce(request.getSenderNonce());
        }
        CMPCertificate[] certs = extra.isEmpty() ? null
                : extra.stream().map(c -> new CMPCertificate(c.toASN1Structure())).toArray(CMPCertificate[]::new);
        try {
            return new PKIMessage(h.build(), body, null, certs).getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] nonce() {
        byte[] n = new byte[16];
        random.nextBytes(n);
        return n;
    }

    private static X509CertificateHolder holder(X509Certificate c) {
        try {
            return new JcaX509CertificateHolder(c);
        } catch (Exception e) {
            throw new IllegalStateException("a certificate cannot be encoded", e);
        }
    }

    private static List<X509Certificate> jdk(List<X509CertificateHolder> chain, CmpProtection answer) {
        List<X509Certificate> out = new ArrayList<>();
        try {
            for (X509CertificateHolder h : chain) {
                out.add(new JcaX509CertificateConverter().getCertificate(h));
            }
        } catch (Exception e) {
            throw new Refusal(PKIFailureInfo.badDataFormat, "a certificate in extraCerts cannot be read", answer);
        }
        return out;
    }

    static String bodyName(int type) {
        return switch (type) {
            case PKIBody.TYPE_INIT_REQ -> "ir";
            case PKIBody.TYPE_CERT_REQ -> "cr";
            case PKIBody.TYPE_P10_CERT_REQ -> "p10cr";
            case PKIBody.TYPE_KEY_UPDATE_REQ -> "kur";
            case PKIBody.TYPE_REVOCATION_REQ -> "rr";
            case PKIBody.TYPE_CERT_CONFIRM -> "certConf";
            case PKIBody.TYPE_GEN_MSG -> "genm";
            case PKIBody.TYPE_POLL_REQ -> "pollReq";
            case PKIBody.TYPE_ERROR -> "error";
            default -> "type-" + type;
        };
    }
}
