package org.medpki.device.scep;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Date;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.CMSEnvelopedDataGenerator;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.DefaultSignedAttributeTableGenerator;
import org.bouncycastle.cms.RecipientInformation;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.cms.jcajce.JceKeyTransEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientInfoGenerator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.medpki.core.testpki.TestKeys;

/** A SCEP client built from BouncyCastle for the requests the real client cannot be made to send. */
final class ScepTestClient {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final URI base;

    ScepTestClient(int port) {
        this.base = URI.create("http://127.0.0.1:" + port + "/scep");
    }

    HttpResponse<byte[]> get(String query) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "?" + query)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<byte[]> post(byte[] body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "?operation=PKIOperation"))
                        .header("Content-Type", "application/x-pki-message").timeout(Duration.ofSeconds(20))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** A fresh RSA key (TestKeys caches one per size, and these tests need several that differ). */
    static KeyPair rsa() throws Exception {
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    /** A self-signed certificate for {@code key}, as a first-time requester signs with. */
    static X509Certificate selfSigned(KeyPair key, String cn) throws Exception {
        Date now = new Date();
        return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(new X500Name("CN=" + cn),
                BigInteger.valueOf(RANDOM.nextLong() & Long.MAX_VALUE), new Date(now.getTime() - 60_000),
                new Date(now.getTime() + 86_400_000L), new X500Name("CN=" + cn), key.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(key.getPrivate())));
    }

    /** A PKCS#10 request for {@code key}, with a challengePassword unless it is null. */
    static byte[] csr(KeyPair key, String challenge) throws Exception {
        var builder = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=device"), key.getPublic());
        if (challenge != null) {
            builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_challengePassword, new DERPrintableString(challenge));
        }
        return builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(key.getPrivate())).getEncoded();
    }

    /** One request: its bytes, and what the answer must echo. */
    record Message(byte[] der, String transactionId, byte[] senderNonce) {
    }

    /**
     * A pkiMessage of {@code messageType} carrying {@code content} encrypted to {@code recipient}
     * with AES-128, signed by {@code signerKey} and presented with {@code signerCert}.
     */
    static Message message(int messageType, String transactionId, byte[] content, X509Certificate recipient,
                           PrivateKey signerKey, X509Certificate signerCert) throws Exception {
        CMSEnvelopedDataGenerator envelope = new CMSEnvelopedDataGenerator();
        envelope.addRecipientInfoGenerator(new JceKeyTransRecipientInfoGenerator(recipient).setProvider(TestKeys.BC));
        byte[] enveloped = envelope.generate(new CMSProcessableByteArray(content),
                new JceCMSContentEncryptorBuilder(CMSAlgorithm.AES128_CBC).setProvider(TestKeys.BC).build()).getEncoded();
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        ASN1EncodableVector v = new ASN1EncodableVector();
        v.add(new Attribute(ScepResponder.TRANSACTION_ID, new DERSet(new DERPrintableString(transactionId))));
        v.add(new Attribute(ScepResponder.MESSAGE_TYPE, new DERSet(new DERPrintableString(Integer.toString(messageType)))));
        v.add(new Attribute(ScepResponder.SENDER_NONCE, new DERSet(new DEROctetString(nonce))));
        CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
        gen.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(
                new JcaDigestCalculatorProviderBuilder().setProvider(TestKeys.BC).build())
                .setSignedAttributeGenerator(new DefaultSignedAttributeTableGenerator(new AttributeTable(v)))
                .build(new JcaContentSignerBuilder("SHA256withRSA").setProvider(TestKeys.BC).build(signerKey), signerCert));
        gen.addCertificate(new JcaX509CertificateHolder(signerCert));
        byte[] der = gen.generate(new CMSProcessableByteArray(enveloped), true).getEncoded(ASN1Encoding.DER);
        return new Message(der, transactionId, nonce);
    }

    /** A parsed CertRep whose signature was checked with {@code ra}. */
    record CertRep(String status, String failInfo, String transactionId, byte[] recipientNonce,
                   X509Certificate certificate) {
    }

    static CertRep certRep(byte[] der, X509Certificate ra, PrivateKey requesterKey) throws Exception {
        CMSSignedData signed = new CMSSignedData(der);
        SignerInformation signer = signed.getSignerInfos().getSigners().iterator().next();
        if (!signer.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(TestKeys.BC).build(ra))) {
            throw new AssertionError("the CertRep's signature does not verify with the RA certificate");
        }
        AttributeTable a = signer.getSignedAttributes();
        if (!"3".equals(string(a, ScepResponder.MESSAGE_TYPE))) {
            throw new AssertionError("not a CertRep");
        }
        String status = string(a, ScepResponder.STATUS);
        X509Certificate issued = null;
        if ("0".equals(status)) {
            CMSEnvelopedData env = new CMSEnvelopedData((byte[]) signed.getSignedContent().getContent());
            if (!CMSAlgorithm.AES128_CBC.equals(env.getContentEncryptionAlgorithm().getAlgorithm())) {
                throw new AssertionError("the reply is not encrypted with AES-128-CBC");
            }
            RecipientInformation r = env.getRecipientInfos().getRecipients().iterator().next();
            byte[] inner = r.getContent(new JceKeyTransEnvelopedRecipient(requesterKey).setProvider(TestKeys.BC));
            X509CertificateHolder holder = new CMSSignedData(inner).getCertificates()
                    .getMatches(null).iterator().next();
            issued = new JcaX509CertificateConverter().getCertificate(holder);
        }
        return new CertRep(status, a.get(ScepResponder.FAIL_INFO) == null ? null : string(a, ScepResponder.FAIL_INFO),
                string(a, ScepResponder.TRANSACTION_ID),
                ((ASN1OctetString) value(a, ScepResponder.RECIPIENT_NONCE)).getOctets(), issued);
    }

    private static ASN1Encodable value(AttributeTable a, ASN1ObjectIdentifier oid) {
        return a.get(oid).getAttrValues().getObjectAt(0);
    }

    private static String string(AttributeTable a, ASN1ObjectIdentifier oid) {
        return ((DERPrintableString) value(a, oid)).getString();
    }
}
