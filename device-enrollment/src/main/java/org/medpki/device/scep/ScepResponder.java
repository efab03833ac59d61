package org.medpki.device.scep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cms.CMSAbsentContent;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.CMSEnvelopedDataGenerator;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.CMSTypedData;
import org.bouncycastle.cms.DefaultSignedAttributeTableGenerator;
import org.bouncycastle.cms.RecipientInformation;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.cms.jcajce.JceKeyTransEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientId;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientInfoGenerator;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.device.DeviceEnrollment;
import org.medpki.device.DeviceEnrollment.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SCEP operations (RFC 8894) without the HTTP around them; every method blocks (RSA with the
 * RA key, possibly in the HSM, and the enrollment's database and CA calls).
 *
 * <p>A PKIOperation is answered with a CertRep whenever the request is readable enough to answer
 * to (a SignedData with a transactionID, a messageType and a senderNonce); anything less is an
 * HTTP 400. The request's signature is checked with the certificate it carries before anything
 * else is looked at; the enveloped CSR must be encrypted to the RA certificate with AES.
 */
final class ScepResponder {
    private static final Logger LOG = LoggerFactory.getLogger(ScepResponder.class);

    private static final String SCEP_ARC = "2.16.840.1.113733.1.9.";
    static final ASN1ObjectIdentifier MESSAGE_TYPE = new ASN1ObjectIdentifier(SCEP_ARC + "2");
    static final ASN1ObjectIdentifier STATUS = new ASN1ObjectIdentifier(SCEP_ARC + "3");
    static final ASN1ObjectIdentifier FAIL_INFO = new ASN1ObjectIdentifier(SCEP_ARC + "4");
    static final ASN1ObjectIdentifier SENDER_NONCE = new ASN1ObjectIdentifier(SCEP_ARC + "5");
    static final ASN1ObjectIdentifier RECIPIENT_NONCE = new ASN1ObjectIdentifier(SCEP_ARC + "6");
    static final ASN1ObjectIdentifier TRANSACTION_ID = new ASN1ObjectIdentifier(SCEP_ARC + "7");

    static final int CERT_REP = 3;
    static final int RENEWAL_REQ = 17;
    static final int PKCS_REQ = 19;
    static final int CERT_POLL = 20;

    /** RFC 8894 3.5.2; no DES3, SHA-1 or MD5 is offered, and none is accepted. */
    static final String CAPABILITIES = "AES\nPOSTPKIOperation\nRenewal\nSHA-256\nSCEPStandard\n";

    static final String MEDIA_TYPE = "application/x-pki-message";
    static final String CA_RA_CERT = "application/x-x509-ca-ra-cert";
    static final String TEXT = "text/plain; charset=utf-8";

    private static final Set<ASN1ObjectIdentifier> CONTENT_ALGORITHMS = Set.of(NISTObjectIdentifiers.id_aes128_CBC,
            NISTObjectIdentifiers.id_aes192_CBC, NISTObjectIdentifiers.id_aes256_CBC);
    private static final Set<ASN1ObjectIdentifier> KEY_TRANSPORT = Set.of(PKCSObjectIdentifiers.rsaEncryption,
            PKCSObjectIdentifiers.id_RSAES_OAEP);
    private static final Set<String> DIGESTS = Set.of(NISTObjectIdentifiers.id_sha256.getId(),
            NISTObjectIdentifiers.id_sha384.getId(), NISTObjectIdentifiers.id_sha512.getId());
    /**
     * Accepted only with {@link ScepConfig#acceptLegacyAlgorithms()}, never offered: clients such
     * as micromdm's scepclient sign with SHA-1 and encrypt with DES whatever GetCACaps says.
     */
    private static final Set<String> LEGACY_DIGESTS = Set.of(OIWObjectIdentifiers.idSHA1.getId());
    private static final Set<ASN1ObjectIdentifier> LEGACY_CONTENT_ALGORITHMS = Set.of(OIWObjectIdentifiers.desCBC,
            PKCSObjectIdentifiers.des_EDE3_CBC);
    private static final int MAX_TRANSACTION_ID = 128;

    private static final Provider BC = new BouncyCastleProvider();

    /** The SCEP failInfo values (RFC 8894 3.2.1.4.5). */
    enum FailInfo {
        BAD_ALG, BAD_MESSAGE_CHECK, BAD_REQUEST, BAD_TIME, BAD_CERT_ID;

        String code() {
            return Integer.toString(ordinal());
        }
    }

    /** What the HTTP layer sends back. */
    record Answer(int status, String contentType, byte[] body) {
        static Answer text(int status, String text) {
            return new Answer(status, TEXT, (text + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A request answered with a CertRep FAILURE; {@code reason} goes to the log only. */
    private static final class Refusal extends Exception {
        final FailInfo info;

        Refusal(FailInfo info, String reason) {
            super(reason, null, false, false);
            this.info = info;
        }
    }

    /** A request that cannot be answered with a CertRep. */
    private static final class Unreadable extends Exception {
        Unreadable(String reason) {
            super(reason, null, false, false);
        }
    }

    /** The parts of a PKIOperation a CertRep answers to. */
    private record Request(CMSSignedData signed, SignerInformation signer, String transactionId, int messageType,
                           byte[] senderNonce) {
    }

    private final DeviceEnrollment enrollment;
    private final X509Certificate raCertificate;
    private final PrivateKey raKey;
    private final Provider raProvider;
    private final ScepTransactions transactions;
    private final Set<String> digests;
    private final Set<ASN1ObjectIdentifier> contentAlgorithms;
    private final SecureRandom random = new SecureRandom();

    ScepResponder(DeviceEnrollment enrollment, ScepConfig config, ScepTransactions transactions) {
        this.enrollment = enrollment;
        this.raCertificate = config.raCertificate();
        this.raKey = config.raKey();
        this.raProvider = config.raProvider();
        this.transactions = transactions;
        Set<String> d = new HashSet<>(DIGESTS);
        Set<ASN1ObjectIdentifier> c = new HashSet<>(CONTENT_ALGORITHMS);
        if (config.acceptLegacyAlgorithms()) {
            d.addAll(LEGACY_DIGESTS);
            c.addAll(LEGACY_CONTENT_ALGORITHMS);
        }
        this.digests = Set.copyOf(d);
        this.contentAlgorithms = Set.copyOf(c);
    }

    /** GetCACert: the RA certificate, then the CA chain, as a certs-only SignedData. */
    Answer caCertificates() {
        try {
            CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
            gen.addCertificate(new JcaX509CertificateHolder(raCertificate));
            for (X509Certificate ca : enrollment.caCertificates()) {
                gen.addCertificate(new JcaX509CertificateHolder(ca));
            }
            // Definite lengths, in the order given (DER would sort the SET of certificates).
            return new Answer(200, CA_RA_CERT, gen.generate(new CMSAbsentContent()).getEncoded(ASN1Encoding.DL));
        } catch (Exception e) {
            throw new PkiException(ErrorKind.INTERNAL, "the SCEP CA certificates cannot be encoded", e);
        }
    }

    /** PKIOperation: {@code der} is the client's pkiMessage. */
    Answer pkiOperation(byte[] der) {
        Request request;
        try {
            request = parse(der);
        } catch (Unreadable e) {
            LOG.info("SCEP refused an unreadable PKIOperation: {}", e.getMessage());
            return Answer.text(400, e.getMessage());
        }
        try {
            X509Certificate signerCert = verify(request);
            X509Certificate issued = switch (request.messageType()) {
                case PKCS_REQ -> enroll(request, signerCert);
                case RENEWAL_REQ -> renew(request, signerCert);
                case CERT_POLL -> transactions.find(transactionKey(request, signerCert)).orElseThrow(
                        () -> new Refusal(FailInfo.BAD_CERT_ID, "no certificate for this transaction"));
                default -> throw new Refusal(FailInfo.BAD_REQUEST,
                        "messageType " + request.messageType() + " is not supported");
            };
            LOG.info("SCEP messageType {} transaction {}: certificate {} issued", request.messageType(),
                    request.transactionId(), issued.getSerialNumber().toString(16));
            return new Answer(200, MEDIA_TYPE, certRep(request, null, issued, signerCert));
        } catch (Refusal r) {
            LOG.info("SCEP messageType {} transaction {} refused ({}): {}", request.messageType(),
                    request.transactionId(), r.info, r.getMessage());
            return new Answer(200, MEDIA_TYPE, certRep(request, r.info, null, null));
        } catch (PkiException e) {
            return switch (e.kind()) {
                case CA_UNAVAILABLE, DATABASE_UNAVAILABLE, TOKEN_UNAVAILABLE -> {
                    LOG.warn("SCEP transaction {} not served: {} {}", request.transactionId(), e.kind(), e.detail());
                    yield Answer.text(503, "the enrollment service is unavailable, retry later");
                }
                case INTERNAL, CONFIGURATION, TOKEN_LOGIN_FAILED, KEY_NOT_FOUND -> {
                    LOG.error("SCEP transaction {} failed: {}", request.transactionId(), e.kind(), e);
                    yield Answer.text(500, "internal error");
                }
                default -> {
                    // A refusal of the enrollment (already audited there). UNAUTHORIZED included:
                    // RFC 8894 has no failInfo for it closer than badRequest.
                    FailInfo info = e.kind() == ErrorKind.BAD_SIGNATURE_ALGORITHM ? FailInfo.BAD_ALG
                            : FailInfo.BAD_REQUEST;
                    LOG.info("SCEP messageType {} transaction {} refused ({}): {} {}", request.messageType(),
                            request.transactionId(), info, e.kind(), e.detail());
                    yield new Answer(200, MEDIA_TYPE, certRep(request, info, null, null));
                }
            };
        }
    }

    private Request parse(byte[] der) throws Unreadable {
        CMSSignedData signed;
        try {
            // fromByteArray refuses trailing bytes after the ContentInfo.
            ContentInfo info = ContentInfo.getInstance(ASN1Primitive.fromByteArray(der));
            if (info == null || !CMSObjectIdentifiers.signedData.equals(info.getContentType())) {
                throw new Unreadable("the pkiMessage is not a CMS SignedData");
            }
            signed = new CMSSignedData(info);
        } catch (IOException | CMSException | RuntimeException e) {
            throw new Unreadable("the pkiMessage is not a CMS SignedData");
        }
        SignerInformation signer;
        AttributeTable attributes;
        // BouncyCastle parses the signer infos and their attributes lazily: a malformed one throws here.
        try {
            Collection<SignerInformation> signers = signed.getSignerInfos().getSigners();
            if (signers.size() != 1) {
                throw new Unreadable("the pkiMessage must have exactly one signer");
            }
            signer = signers.iterator().next();
            attributes = signer.getSignedAttributes();
        } catch (RuntimeException e) {
            throw new Unreadable("the pkiMessage's signer information is malformed");
        }
        if (attributes == null) {
            throw new Unreadable("the pkiMessage has no signed attributes");
        }
        String transactionId = printable(attributes, TRANSACTION_ID, "transactionID");
        // The PrintableString alphabet, checked here because the parser does not: the
        // transactionID goes into log lines.
        if (!transactionId.matches("[A-Za-z0-9 '()+,\\-./:=?]{1," + MAX_TRANSACTION_ID + "}")) {
            throw new Unreadable("the transactionID must be 1 to " + MAX_TRANSACTION_ID + " printable characters");
        }
        String type = printable(attributes, MESSAGE_TYPE, "messageType");
        if (!type.matches("[0-9]{1,3}")) {
            throw new Unreadable("the messageType is not a number");
        }
        ASN1Encodable nonce = single(attributes, SENDER_NONCE, "senderNonce");
        if (!(nonce instanceof ASN1OctetString octets) || octets.getOctets().length < 8
                || octets.getOctets().length > 64) {
            throw new Unreadable("the senderNonce must be an OCTET STRING of 8 to 64 bytes");
        }
        return new Request(signed, signer, transactionId, Integer.parseInt(type), octets.getOctets());
    }

    private static ASN1Encodable single(AttributeTable attributes, ASN1ObjectIdentifier oid, String name)
            throws Unreadable {
        var all = attributes.getAll(oid);
        if (all.size() != 1) {
            throw new Unreadable("the pkiMessage needs exactly one " + name + " attribute");
        }
        Attribute a = (Attribute) all.get(0);
        if (a.getAttrValues().size() != 1) {
            throw new Unreadable("the " + name + " attribute must have one value");
        }
        return a.getAttrValues().getObjectAt(0);
    }

    private static String printable(AttributeTable attributes, ASN1ObjectIdentifier oid, String name)
            throws Unreadable {
        ASN1Encodable value = single(attributes, oid, name);
        if (!(value instanceof DERPrintableString s)) {
            throw new Unreadable("the " + name + " attribute must be a PrintableString");
        }
        return s.getString();
    }

    /** Checks the request's signature with the certificate it carries; returns that certificate. */
    private X509Certificate verify(Request request) throws Refusal {
        SignerInformation signer = request.signer();
        X509CertificateHolder holder;
        X509Certificate cert;
        try {
            @SuppressWarnings("unchecked")
            Collection<X509CertificateHolder> matches = request.signed().getCertificates().getMatches(signer.getSID());
            if (matches.size() != 1) {
                throw new Refusal(FailInfo.BAD_MESSAGE_CHECK, "the signer's certificate is not in the pkiMessage");
            }
            holder = matches.iterator().next();
            cert = new JcaX509CertificateConverter().getCertificate(holder);
        } catch (Refusal r) {
            throw r;
        } catch (Exception e) {
            throw new Refusal(FailInfo.BAD_MESSAGE_CHECK, "the signer's certificate cannot be read");
        }
        if (!digests.contains(signer.getDigestAlgOID())) {
            throw new Refusal(FailInfo.BAD_ALG, "digest " + signer.getDigestAlgOID() + " is not accepted");
        }
        boolean valid;
        try {
            valid = signer.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(BC).build(holder));
        } catch (Exception e) {
            valid = false;
        }
        if (!valid) {
            enrollment.authenticationFailed(Protocol.SCEP, deviceSerialOf(cert),
                    "the SCEP request's signature does not verify");
            throw new Refusal(FailInfo.BAD_MESSAGE_CHECK, "the signature does not verify");
        }
        if (!(cert.getPublicKey() instanceof RSAPublicKey)) {
            // The reply is encrypted to this certificate: RSA key transport, as SCEP has it.
            throw new Refusal(FailInfo.BAD_ALG, "the signer's key is not an RSA key");
        }
        return cert;
    }

    private X509Certificate enroll(Request request, X509Certificate signerCert) throws Refusal {
        byte[] csrDer = decrypt(request);
        PKCS10CertificationRequest csr = csr(csrDer);
        // The signer is the requester: it signs with the key it asks a certificate for (the
        // reply is encrypted to it), so a captured envelope cannot be re-sent under another key.
        if (!samePublicKey(signerCert, csr)) {
            throw new Refusal(FailInfo.BAD_REQUEST, "the CSR's key is not the signer's key");
        }
        String key = transactionKey(request, signerCert);
        var earlier = transactions.find(key);
        if (earlier.isPresent()) {
            return earlier.get();
        }
        String challenge = challengePassword(csr);
        if (challenge == null) {
            enrollment.authenticationFailed(Protocol.SCEP, null, "the SCEP PKCSReq carries no challenge password");
            throw new Refusal(FailInfo.BAD_REQUEST, "no challengePassword");
        }
        X509Certificate issued = enrollment.enrollWithCode(Protocol.SCEP, null, challenge, csrDer).certificate();
        transactions.put(key, issued);
        return issued;
    }

    private X509Certificate renew(Request request, X509Certificate signerCert) throws Refusal {
        // Before the envelope is opened: a renewal is signed by a certificate of our CA.
        if (!issuedByOurCa(signerCert)) {
            enrollment.authenticationFailed(Protocol.SCEP, deviceSerialOf(signerCert),
                    "the SCEP RenewalReq is not signed with a certificate of the device CA");
            throw new Refusal(FailInfo.BAD_REQUEST, "the signer's certificate is not one of the device CA");
        }
        byte[] csrDer = decrypt(request);
        PKCS10CertificationRequest csr = csr(csrDer);
        String key = transactionKey(request, signerCert);
        var earlier = transactions.find(key);
        if (earlier.isPresent() && samePublicKey(earlier.get(), csr)) {
            return earlier.get();
        }
        X509Certificate issued = enrollment.reenroll(Protocol.SCEP, signerCert, csrDer).certificate();
        transactions.put(key, issued);
        return issued;
    }

    private boolean issuedByOurCa(X509Certificate cert) {
        for (X509Certificate ca : enrollment.caCertificates()) {
            if (!ca.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
                continue;
            }
            try {
                cert.verify(ca.getPublicKey());
                return true;
            } catch (Exception e) {
                // another CA of the same name, or not ours
            }
        }
        return false;
    }

    /** The pkcsPKIEnvelope's content: AES, RSA key transport, to the RA certificate. */
    private byte[] decrypt(Request request) throws Refusal {
        CMSTypedData content = request.signed().getSignedContent();
        if (content == null || !(content.getContent() instanceof byte[] bytes)) {
            throw new Refusal(FailInfo.BAD_REQUEST, "the pkiMessage has no pkcsPKIEnvelope");
        }
        CMSEnvelopedData enveloped;
        try {
            enveloped = new CMSEnvelopedData(bytes);
        } catch (CMSException | RuntimeException e) {
            throw new Refusal(FailInfo.BAD_REQUEST, "the pkcsPKIEnvelope is not a CMS EnvelopedData");
        }
        if (!contentAlgorithms.contains(enveloped.getContentEncryptionAlgorithm().getAlgorithm())) {
            throw new Refusal(FailInfo.BAD_ALG, "content encryption " + enveloped.getEncryptionAlgOID()
                    + " is not accepted");
        }
        RecipientInformation recipient = enveloped.getRecipientInfos().get(new JceKeyTransRecipientId(raCertificate));
        if (recipient == null) {
            throw new Refusal(FailInfo.BAD_MESSAGE_CHECK, "the pkcsPKIEnvelope is not encrypted to the RA certificate");
        }
        if (!KEY_TRANSPORT.contains(recipient.getKeyEncryptionAlgorithm().getAlgorithm())) {
            throw new Refusal(FailInfo.BAD_ALG, "key transport " + recipient.getKeyEncryptionAlgOID()
                    + " is not accepted");
        }
        var unwrap = new JceKeyTransEnvelopedRecipient(raKey)
                // The content key comes out as bytes for the software AES, also from a PKCS#11
                // token whose unwrapped keys would stay on the token.
                .setMustProduceEncodableUnwrappedKey(true)
                .setAllowedContentAlgorithms(contentAlgorithms)
                .setContentProvider(BC);
        if (raProvider != null) {
            unwrap.setProvider(raProvider);
            unwrap.setContentProvider(BC);
        }
        try {
            return recipient.getContent(unwrap);
        } catch (CMSException | RuntimeException e) {
            // One answer for every way decryption fails: no padding oracle on the RA key.
            throw new Refusal(FailInfo.BAD_MESSAGE_CHECK, "the pkcsPKIEnvelope cannot be decrypted");
        }
    }

    private static PKCS10CertificationRequest csr(byte[] der) throws Refusal {
        try {
            PKCS10CertificationRequest csr = new PKCS10CertificationRequest(der);
            if (csr.getEncoded().length != der.length) {
                throw new IOException("trailing data");
            }
            return csr;
        } catch (IOException | RuntimeException e) {
            // The same failInfo as a failed decryption: otherwise content that decrypted (the RSA
            // padding was right) but is no CSR would tell a padding oracle apart from one that did not.
            throw new Refusal(FailInfo.BAD_MESSAGE_CHECK, "the enveloped content is not a PKCS#10 request");
        }
    }

    /** The CSR's challengePassword (PKCS#9), or null; a CSR with more than one is refused. */
    private static String challengePassword(PKCS10CertificationRequest csr) throws Refusal {
        var attributes = csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_challengePassword);
        if (attributes.length == 0) {
            return null;
        }
        if (attributes.length > 1 || attributes[0].getAttrValues().size() != 1
                || !(attributes[0].getAttrValues().getObjectAt(0) instanceof ASN1String s)) {
            throw new Refusal(FailInfo.BAD_REQUEST, "the challengePassword attribute is malformed");
        }
        return s.getString();
    }

    private static boolean samePublicKey(X509Certificate cert, PKCS10CertificationRequest csr) {
        try {
            return MessageDigest.isEqual(cert.getPublicKey().getEncoded(), csr.getSubjectPublicKeyInfo().getEncoded());
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The transaction with the certificate that signed it: a transactionID alone is only a
     * client's label (micromdm's is its key's hash, the same for a PKCSReq and a later renewal
     * with that key), while a retransmission or a CertPoll comes with the same signer.
     */
    private static String transactionKey(Request request, X509Certificate signerCert) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(signerCert.getEncoded());
            return request.transactionId() + "\n" + Base64.getEncoder().encodeToString(hash);
        } catch (NoSuchAlgorithmException | java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The subject's serialNumber (the registry's device serial) for an audit entry, or null. */
    private static String deviceSerialOf(X509Certificate cert) {
        try {
            RDN[] rdns = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.SERIALNUMBER);
            return rdns.length == 0 ? null : IETFUtils.valueToString(rdns[0].getFirst().getValue());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * A CertRep signed by the RA key: SUCCESS ({@code failure} null) with the issued certificate
     * in a degenerate SignedData, encrypted with AES to {@code recipient}; FAILURE without content.
     */
    private byte[] certRep(Request request, FailInfo failure, X509Certificate issued, X509Certificate recipient) {
        try {
            byte[] senderNonce = new byte[16];
            random.nextBytes(senderNonce);
            ASN1EncodableVector v = new ASN1EncodableVector();
            v.add(attribute(TRANSACTION_ID, new DERPrintableString(request.transactionId())));
            v.add(attribute(MESSAGE_TYPE, new DERPrintableString(Integer.toString(CERT_REP))));
            v.add(attribute(STATUS, new DERPrintableString(failure == null ? "0" : "2")));
            if (failure != null) {
                v.add(attribute(FAIL_INFO, new DERPrintableString(failure.code())));
            }
            v.add(attribute(SENDER_NONCE, new DEROctetString(senderNonce)));
            v.add(attribute(RECIPIENT_NONCE, new DEROctetString(request.senderNonce())));

            JcaContentSignerBuilder signerBuilder = new JcaContentSignerBuilder("SHA256withRSA");
            if (raProvider != null) {
                signerBuilder.setProvider(raProvider);
            }
            ContentSigner contentSigner = signerBuilder.build(raKey);
            CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
            gen.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(
                    new JcaDigestCalculatorProviderBuilder().setProvider(BC).build())
                    .setSignedAttributeGenerator(new DefaultSignedAttributeTableGenerator(new AttributeTable(v)))
                    .build(contentSigner, raCertificate));
            gen.addCertificate(new JcaX509CertificateHolder(raCertificate));
            CMSSignedData rep;
            if (failure == null) {
                CMSSignedDataGenerator degenerate = new CMSSignedDataGenerator();
                degenerate.addCertificate(new JcaX509CertificateHolder(issued));
                byte[] certs = degenerate.generate(new CMSAbsentContent()).getEncoded(ASN1Encoding.DER);
                CMSEnvelopedDataGenerator envelope = new CMSEnvelopedDataGenerator();
                envelope.addRecipientInfoGenerator(new JceKeyTransRecipientInfoGenerator(recipient).setProvider(BC));
                byte[] enveloped = envelope.generate(new CMSProcessableByteArray(certs),
                        new JceCMSContentEncryptorBuilder(CMSAlgorithm.AES128_CBC).setProvider(BC).build())
                        .getEncoded();
                rep = gen.generate(new CMSProcessableByteArray(enveloped), true);
            } else {
                rep = gen.generate(new CMSAbsentContent());
            }
            return rep.getEncoded(ASN1Encoding.DER);
        } catch (Exception e) {
            throw new PkiException(ErrorKind.INTERNAL, "the SCEP CertRep cannot be made", e);
        }
    }

    private static Attribute attribute(ASN1ObjectIdentifier oid, ASN1Encodable value) {
        return new Attribute(oid, new DERSet(value));
    }
}
