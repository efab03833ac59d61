package org.medpki.core.policy;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Null;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.profile.CertificateProfile;
import org.medpki.core.profile.KeyRules;
import org.medpki.core.profile.SanType;
import org.medpki.core.signing.EcdsaSignatures;

/**
 * Checks a PKCS#10 request against a profile (CP 3.2 / 4.1): parses DER or PEM, checks the key
 * ({@link KeyPolicy}), the signature algorithm (no SHA-1 or MD5) and the signature, takes the SANs
 * from the extensionRequest and checks every name ({@link NamePolicy}) and the subject
 * ({@link SubjectPolicy}). Other requested extensions are ignored - the profile decides a
 * certificate's extensions - except that a request for cA=true is refused. Thread-safe.
 */
public final class RequestValidator {
    /** Requests are small; this only guards against absurd input. */
    public static final int MAX_CSR_BYTES = 64 * 1024;

    private static final Provider BC = new BouncyCastleProvider();
    private static final Set<ASN1ObjectIdentifier> PKCS1_SIGNATURES = Set.of(
            PKCSObjectIdentifiers.sha256WithRSAEncryption, PKCSObjectIdentifiers.sha384WithRSAEncryption,
            PKCSObjectIdentifiers.sha512WithRSAEncryption);
    private static final Set<ASN1ObjectIdentifier> ECDSA_SIGNATURES = Set.of(
            X9ObjectIdentifiers.ecdsa_with_SHA256, X9ObjectIdentifiers.ecdsa_with_SHA384,
            X9ObjectIdentifiers.ecdsa_with_SHA512);
    private static final Set<ASN1ObjectIdentifier> PSS_HASHES = Set.of(
            NISTObjectIdentifiers.id_sha256, NISTObjectIdentifiers.id_sha384, NISTObjectIdentifiers.id_sha512);
    private static final Map<ASN1ObjectIdentifier, String> WEAK_SIGNATURES = Map.of(
            PKCSObjectIdentifiers.md2WithRSAEncryption, "md2WithRSAEncryption",
            PKCSObjectIdentifiers.md5WithRSAEncryption, "md5WithRSAEncryption",
            PKCSObjectIdentifiers.sha1WithRSAEncryption, "sha1WithRSAEncryption",
            X9ObjectIdentifiers.ecdsa_with_SHA1, "ecdsa-with-SHA1",
            X9ObjectIdentifiers.id_dsa_with_sha1, "dsa-with-sha1",
            PKCSObjectIdentifiers.sha224WithRSAEncryption, "sha224WithRSAEncryption",
            X9ObjectIdentifiers.ecdsa_with_SHA224, "ecdsa-with-SHA224");

    public ValidatedRequest validate(byte[] csr, CertificateProfile profile) {
        return validate(csr, profile, null);
    }

    /**
     * The subject of a request whose names alone were validated (ACME): O, OU, L, ST, C,
     * serialNumber and any other attribute nobody checked are dropped; the CSR's CN stays when it
     * is one of the names, else the first DNS name of at most 64 characters becomes the CN, else
     * the subject is empty (and the SAN extension critical).
     */
    static X500Name validatedOnly(X500Name subject, List<GeneralName> sans) {
        Set<String> names = new HashSet<>();
        String firstDns = null;
        for (GeneralName n : sans) {
            String rendered = NamePolicy.render(n);
            String value = rendered.substring(rendered.indexOf(':') + 1);
            if (n.getTagNo() == GeneralName.dNSName || n.getTagNo() == GeneralName.iPAddress) {
                names.add(value.toLowerCase(Locale.ROOT));
            }
            if (firstDns == null && n.getTagNo() == GeneralName.dNSName && value.length() <= 64) {
                firstDns = value;
            }
        }
        for (RDN rdn : subject.getRDNs(BCStyle.CN)) {
            String cn = IETFUtils.valueToString(rdn.getFirst().getValue());
            if (names.contains(cn.toLowerCase(Locale.ROOT))) {
                return commonName(cn.toLowerCase(Locale.ROOT));
            }
        }
        return firstDns != null ? commonName(firstDns) : new X500Name(new RDN[0]);
    }

    private static X500Name commonName(String cn) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.CN, cn).build();
    }

    /**
     * As {@link #validate(byte[], CertificateProfile)}, and the request's SANs must equal
     * {@code expectedNames} as a set (ACME finalize: the order's identifiers). Null skips that.
     */
    public ValidatedRequest validate(byte[] csr, CertificateProfile profile, List<GeneralName> expectedNames) {
        return validate(csr, profile, expectedNames, false);
    }

    /**
     * As {@link #validate(byte[], CertificateProfile, List)}; with {@code namesOnly} the expected
     * names are all that was validated (ACME), so the subject keeps nothing but a CN that is one
     * of them (see {@link #validatedOnly}).
     */
    public ValidatedRequest validate(byte[] csr, CertificateProfile profile, List<GeneralName> expectedNames,
                                     boolean namesOnly) {
        Request request = Request.parse(csr);
        request.checkPossession(profile.keys(), profile.name());
        List<GeneralName> sans = requestedNames(request, profile);
        var subject = namesOnly ? validatedOnly(request.subject(), sans) : request.subject();
        return checked(profile, subject, sans, request, expectedNames);
    }

    /**
     * As {@link #validate(byte[], CertificateProfile)} for an identity the caller assigns (a
     * device's, from the registry): the certificate gets {@code assigned}'s subject and names. The
     * request may ask for some of those names and may carry a serialNumber only when it is the
     * assigned one; anything else asks for another identity (REJECTED_IDENTIFIER). A request may
     * also be a CRMF CertReqMsg (CMP) with a signature proof of possession.
     */
    public ValidatedRequest validateAssigned(byte[] csr, CertificateProfile profile,
                                             org.medpki.core.policy.AssignedIdentity assigned) {
        Request request = Request.parse(csr);
        request.checkPossession(profile.keys(), profile.name());
        Set<String> allowed = new HashSet<>();
        assigned.names().forEach(n -> allowed.add(NamePolicy.render(n).toLowerCase(Locale.ROOT)));
        for (GeneralName asked : requestedNames(request, profile)) {
            if (!allowed.contains(NamePolicy.render(asked).toLowerCase(Locale.ROOT))) {
                throw new PkiException(ErrorKind.REJECTED_IDENTIFIER, "the request asks for the name "
                        + NamePolicy.render(asked) + ", which is not this requester's");
            }
        }
        String serial = serialNumber(assigned.subject());
        for (RDN rdn : request.subject().getRDNs(BCStyle.SERIALNUMBER)) {
            if (!IETFUtils.valueToString(rdn.getFirst().getValue()).equals(serial)) {
                throw new PkiException(ErrorKind.REJECTED_IDENTIFIER,
                        "the request's subject names another serialNumber than this requester's");
            }
        }
        List<GeneralName> names = new ArrayList<>();
        for (GeneralName n : assigned.names()) {
            names.add(NamePolicy.check(n, profile.subjectAltNames(), profile.name()));
        }
        return checked(profile, assigned.subject(), names, request, null);
    }

    private static String serialNumber(X500Name subject) {
        RDN[] rdns = subject.getRDNs(BCStyle.SERIALNUMBER);
        return rdns.length == 0 ? null : IETFUtils.valueToString(rdns[0].getFirst().getValue());
    }

    /** The request's SANs, each checked against the profile, normalised, de-duplicated, in order; a CA request refused. */
    private static List<GeneralName> requestedNames(Request request, CertificateProfile profile) {
        Extensions requested = request.extensions();
        List<GeneralName> sans = new ArrayList<>();
        if (requested != null) {
            BasicConstraints bc = BasicConstraints.fromExtensions(requested);
            if (bc != null && bc.isCA()) {
                throw bad("the CSR asks for a CA certificate (basicConstraints cA=true)");
            }
            GeneralNames names = GeneralNames.fromExtensions(requested, Extension.subjectAlternativeName);
            if (names != null) {
                Map<String, GeneralName> unique = new LinkedHashMap<>();
                for (GeneralName n : names.getNames()) {
                    GeneralName checked = NamePolicy.check(n, profile.subjectAltNames(), profile.name());
                    unique.putIfAbsent(NamePolicy.render(checked), checked);
                }
                sans.addAll(unique.values());
            }
        }
        return sans;
    }

    private static ValidatedRequest checked(CertificateProfile profile, X500Name subject, List<GeneralName> sans,
                                            Request request, List<GeneralName> expectedNames) {
        if (sans.size() < profile.subjectAltNames().minimum()) {
            throw bad("the CSR carries " + sans.size() + " subject alternative name(s); profile " + profile.name()
                    + " needs at least " + profile.subjectAltNames().minimum());
        }
        var missing = profile.subjectAltNames().missingRequired(sans.stream().map(SanType::of).toList());
        if (!missing.isEmpty()) {
            throw bad("profile " + profile.name() + " needs a subject alternative name of type " + missing
                    + " in the CSR");
        }
        SubjectPolicy.check(subject, profile.subject(), sans, profile.name());
        if (subject.getRDNs().length == 0 && sans.isEmpty()) {
            throw bad("the CSR has neither a subject nor a subject alternative name");
        }
        if (expectedNames != null) {
            compareNames(sans, expectedNames);
        }
        return new ValidatedRequest(subject, request.spki(), sans, sha256(encoded(request.spki())));
    }

    /**
     * The checks of a request whose content the CA does not take (the CA's own certificates, such
     * as an OCSP signer's, whose subject and extensions come from its templates): parses DER or
     * PEM, checks the key against {@code rules} ({@link KeyPolicy}), the signature algorithm and
     * the signature (proof of possession). Returns the request's key. {@code what} names the rules
     * in error messages.
     */
    public SubjectPublicKeyInfo proofOfPossession(byte[] csr, KeyRules rules, String what) {
        Pkcs10 request = new Pkcs10(parse(csr));
        request.checkPossession(rules, what);
        return request.spki();
    }

    /**
     * The CSR's subject common name, if it has exactly one: for callers that must know whom a
     * request is for before they issue (an administrator's name). Parses as {@link #proofOfPossession}.
     */
    public static Optional<String> commonName(byte[] csr) {
        org.bouncycastle.asn1.x500.RDN[] cns = parse(csr).getSubject().getRDNs(org.bouncycastle.asn1.x500.style.BCStyle.CN);
        return cns.length == 1 ? Optional.of(org.bouncycastle.asn1.x500.style.IETFUtils.valueToString(
                cns[0].getFirst().getValue())) : Optional.empty();
    }

    private static PKCS10CertificationRequest parse(byte[] csr) {
        if (csr == null || csr.length == 0) {
            throw bad("the CSR is not valid DER/PEM: it is empty");
        }
        if (csr.length > MAX_CSR_BYTES) {
            throw bad("the CSR is not valid DER/PEM: it is larger than " + MAX_CSR_BYTES + " bytes");
        }
        byte[] der = csr;
        String head = new String(csr, 0, Math.min(csr.length, 64), StandardCharsets.US_ASCII).stripLeading();
        if (head.startsWith("-----BEGIN")) {
            try (PemReader reader = new PemReader(new StringReader(new String(csr, StandardCharsets.US_ASCII)))) {
                PemObject pem = reader.readPemObject();
                if (pem == null) {
                    throw bad("the CSR is not valid DER/PEM: no PEM block found");
                }
                if (!pem.getType().equals("CERTIFICATE REQUEST") && !pem.getType().equals("NEW CERTIFICATE REQUEST")) {
                    throw bad("the CSR is not valid DER/PEM: the PEM block is a '" + pem.getType()
                            + "', not a 'CERTIFICATE REQUEST'");
                }
                der = pem.getContent();
            } catch (IOException | RuntimeException e) {
                if (e instanceof PkiException pe) {
                    throw pe;
                }
                throw bad("the CSR is not valid DER/PEM: " + e.getMessage(), e);
            }
        }
        try {
            return new PKCS10CertificationRequest(der);
        } catch (IOException | RuntimeException e) {
            throw bad("the CSR is not valid DER/PEM: " + e.getMessage(), e);
        }
    }

    private static void checkSignatureAlgorithm(AlgorithmIdentifier alg) {
        ASN1ObjectIdentifier oid = alg.getAlgorithm();
        ASN1Encodable params = alg.getParameters();
        String weak = WEAK_SIGNATURES.get(oid);
        if (weak != null) {
            throw bad("the CSR is signed with the weak signature algorithm " + weak + " (use SHA-256 or better)");
        }
        if (PKCS1_SIGNATURES.contains(oid) && (params == null || params instanceof ASN1Null)) {
            return;
        }
        if (ECDSA_SIGNATURES.contains(oid) && params == null) {
            return;
        }
        if (EdECObjectIdentifiers.id_Ed25519.equals(oid) && params == null) {
            return;
        }
        if (PKCSObjectIdentifiers.id_RSASSA_PSS.equals(oid) && params != null) {
            ASN1ObjectIdentifier hash;
            try {
                hash = RSASSAPSSparams.getInstance(params).getHashAlgorithm().getAlgorithm();
            } catch (RuntimeException e) {
                // BouncyCastle refuses malformed parameters with IllegalArgument/IllegalState.
                throw bad("the CSR's RSASSA-PSS parameters are malformed", e);
            }
            if (!PSS_HASHES.contains(hash)) {
                throw bad("the CSR's RSASSA-PSS signature uses a weak or unknown hash " + hash.getId());
            }
            return;
        }
        throw bad("the CSR's signature algorithm " + oid.getId() + " is not accepted");
    }

    private static void verifySignature(PKCS10CertificationRequest request) {
        boolean valid;
        try {
            String digest = ecdsaDigest(request.getSignatureAlgorithm().getAlgorithm());
            if (digest != null) {
                valid = ecdsaVerifies(request, digest);
            } else {
                valid = jcaVerifies(request);
            }
        } catch (Exception e) {
            valid = false;
        }
        if (!valid) {
            throw bad("the CSR signature does not verify");
        }
    }

    /** ECDSA through {@link EcdsaSignatures}: the bytes signed are the DER CertificationRequestInfo. */
    private static boolean ecdsaVerifies(PKCS10CertificationRequest request, String digest) throws IOException {
        byte[] info = request.toASN1Structure().getCertificationRequestInfo().getEncoded(ASN1Encoding.DER);
        return EcdsaSignatures.verifyDer(EcdsaSignatures.key(request.getSubjectPublicKeyInfo().getEncoded()), digest,
                info, request.getSignature());
    }

    private static String ecdsaDigest(ASN1ObjectIdentifier algorithm) {
        if (X9ObjectIdentifiers.ecdsa_with_SHA256.equals(algorithm)) {
            return "SHA-256";
        }
        if (X9ObjectIdentifiers.ecdsa_with_SHA384.equals(algorithm)) {
            return "SHA-384";
        }
        if (X9ObjectIdentifiers.ecdsa_with_SHA512.equals(algorithm)) {
            return "SHA-512";
        }
        return null;
    }

    private static boolean jcaVerifies(PKCS10CertificationRequest request) {
        boolean valid;
        try {
            ContentVerifierProvider verifier = new JcaContentVerifierProviderBuilder().setProvider(BC)
                    .build(request.getSubjectPublicKeyInfo());
            valid = request.isSignatureValid(verifier);
        } catch (Exception e) {
            valid = false;
        }
        return valid;
    }

    private static Extensions requestedExtensions(PKCS10CertificationRequest request) {
        Attribute[] attrs = request.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest);
        if (attrs.length == 0) {
            return null;
        }
        if (attrs.length > 1 || attrs[0].getAttrValues().size() != 1) {
            throw bad("the CSR has more than one extensionRequest");
        }
        try {
            return Extensions.getInstance(attrs[0].getAttrValues().getObjectAt(0));
        } catch (RuntimeException e) {
            throw bad("the CSR's extensionRequest is malformed: " + e.getMessage(), e);
        }
    }

    /** A certification request in a form the CA takes: PKCS#10, or a CRMF CertReqMsg (RFC 4211) as CMP sends it. */
    private sealed interface Request permits Pkcs10, Crmf {
        X500Name subject();

        SubjectPublicKeyInfo spki();

        /** The extensions asked for, or null. */
        Extensions extensions();

        /** Checks the key against {@code rules}, the signature algorithm and the proof of possession. */
        void checkPossession(KeyRules rules, String what);

        static Request parse(byte[] bytes) {
            PkiException pkcs10Failure;
            try {
                return new Pkcs10(RequestValidator.parse(bytes));
            } catch (PkiException e) {
                pkcs10Failure = e;
            }
            Crmf crmf = Crmf.parse(bytes);
            if (crmf == null) {
                throw pkcs10Failure;
            }
            return crmf;
        }
    }

    private record Pkcs10(PKCS10CertificationRequest request) implements Request {
        @Override
        public X500Name subject() {
            return request.getSubject();
        }

        @Override
        public SubjectPublicKeyInfo spki() {
            return request.getSubjectPublicKeyInfo();
        }

        @Override
        public Extensions extensions() {
            return requestedExtensions(request);
        }

        @Override
        public void checkPossession(KeyRules rules, String what) {
            if (!request.toASN1Structure().getCertificationRequestInfo().getVersion().hasValue(0)) {
                throw bad("the CSR version must be v1 (0)");
            }
            KeyPolicy.check(spki(), rules, what);
            checkSignatureAlgorithm(request.getSignatureAlgorithm());
            verifySignature(request);
        }
    }

    /** A CRMF request: the template gives subject, key and extensions; the proof of possession must be a signature. */
    private record Crmf(org.bouncycastle.cert.crmf.CertificateRequestMessage message) implements Request {
        /** The request when {@code der} is a CRMF CertReqMsg with a public key, else null. */
        static Crmf parse(byte[] der) {
            if (der == null || der.length == 0 || der.length > MAX_CSR_BYTES) {
                return null;
            }
            try {
                var msg = org.bouncycastle.asn1.crmf.CertReqMsg.getInstance(
                        org.bouncycastle.asn1.ASN1Primitive.fromByteArray(der));
                if (msg.getCertReq().getCertTemplate().getPublicKey() == null) {
                    throw bad("the CRMF request's template has no public key");
                }
                return new Crmf(new org.bouncycastle.cert.crmf.CertificateRequestMessage(msg));
            } catch (PkiException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        @Override
        public X500Name subject() {
            X500Name subject = message.getCertTemplate().getSubject();
            return subject == null ? new X500Name(new RDN[0]) : subject;
        }

        @Override
        public SubjectPublicKeyInfo spki() {
            return message.getCertTemplate().getPublicKey();
        }

        @Override
        public Extensions extensions() {
            return message.getCertTemplate().getExtensions();
        }

        @Override
        public void checkPossession(KeyRules rules, String what) {
            KeyPolicy.check(spki(), rules, what);
            if (message.getProofOfPossessionType()
                    != org.bouncycastle.cert.crmf.CertificateRequestMessage.popSigningKey) {
                throw bad("the CRMF request's proof of possession must be a signature");
            }
            var popo = org.bouncycastle.asn1.crmf.POPOSigningKey.getInstance(
                    message.toASN1Structure().getPopo().getObject());
            checkSignatureAlgorithm(popo.getAlgorithmIdentifier());
            boolean valid;
            try {
                valid = message.isValidSigningKeyPOP(new JcaContentVerifierProviderBuilder().setProvider(BC)
                        .build(spki()));
            } catch (Exception e) {
                valid = false;
            }
            if (!valid) {
                throw bad("the CRMF request's proof-of-possession signature does not verify");
            }
        }
    }

    private static void compareNames(List<GeneralName> actual, List<GeneralName> expected) {
        Set<String> have = new TreeSet<>();
        actual.forEach(n -> have.add(NamePolicy.render(n).toLowerCase(Locale.ROOT)));
        Set<String> want = new TreeSet<>();
        expected.forEach(n -> want.add(NamePolicy.render(n).toLowerCase(Locale.ROOT)));
        if (!have.equals(want)) {
            Set<String> missing = new TreeSet<>(want);
            missing.removeAll(have);
            Set<String> extra = new TreeSet<>(have);
            extra.removeAll(want);
            throw bad("the CSR's names differ from the expected names: missing " + missing + ", unexpected " + extra);
        }
    }

    private static byte[] encoded(SubjectPublicKeyInfo spki) {
        try {
            return spki.getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new PkiException(ErrorKind.INTERNAL, "cannot encode a public key", e);
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    private static PkiException bad(String reason) {
        return new PkiException(ErrorKind.BAD_CSR, reason);
    }

    private static PkiException bad(String reason, Throwable cause) {
        return new PkiException(ErrorKind.BAD_CSR, reason, cause);
    }
}
