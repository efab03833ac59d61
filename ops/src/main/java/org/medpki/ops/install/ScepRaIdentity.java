package org.medpki.ops.install;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.issuance.IssuedCertificate;
import org.medpki.hsm.TokenSlots;

/**
 * The SCEP registration authority's identity: an RSA key generated in the enrollment token (never
 * extractable, opened by the SCEP service alone) and its certificate under the {@code scep-ra}
 * profile, which the service asks the CA for over the CA API. The certificate is stored on the
 * token beside its key (same label and CKA_ID, as SunPKCS11 keeps key entries), so a restart finds
 * both; one past two thirds of its life gets a new key and certificate at the next start. The JDK's
 * SunPKCS11 provider holds the key: the SCEP code decrypts and signs through JCA with it.
 */
public final class ScepRaIdentity {
    /** The key entry's alias (CKA_LABEL) on the enrollment token. */
    public static final String ALIAS = "scep-ra";
    /** The CA's profile for the RA certificate. */
    public static final String PROFILE = "scep-ra";
    private static final int RSA_BITS = 3072;

    /** The RA certificate (first of {@code chain}), its key on the token and the provider that uses it. */
    public record Identity(X509Certificate[] chain, PrivateKey key, Provider provider) {
        public X509Certificate certificate() {
            return chain[0];
        }
    }

    private ScepRaIdentity() {
    }

    /**
     * Logs in to the enrollment token and answers the RA identity, made first when absent or due:
     * {@code certify} has the CA sign a PKCS#10 request (DER) under {@link #PROFILE}.
     */
    public static Identity open(PkiContext context, Function<byte[], IssuedCertificate> certify) {
        if (!context.profiles().names().contains(PROFILE)) {
            // Its policy OID must be asserted by the identity CA's certificate, which one certified
            // before the profile existed does not do: a new installation has it.
            throw new PkiException(ErrorKind.CONFIGURATION, "this installation has no " + PROFILE + " profile (it "
                    + "predates SCEP, and its identity CA does not assert the profile's policy): SCEP can run in an "
                    + "installation made with this version; EST and CMP need no RA certificate");
        }
        InstallationConfig.Token token = context.config().token(TokenRole.ENROLL);
        long slot = TokenSlots.slotOf(token.module(), token.label());
        Provider provider;
        try {
            provider = Security.getProvider("SunPKCS11").configure("--name=medpki-enroll\nlibrary=" + token.module()
                    + "\nslot=" + slot + "\n"
                    + "attributes(generate, CKO_PRIVATE_KEY, *) = {\n  CKA_TOKEN = true\n  CKA_PRIVATE = true\n"
                    + "  CKA_SENSITIVE = true\n  CKA_EXTRACTABLE = false\n}\n"
                    + "attributes(generate, CKO_PUBLIC_KEY, *) = {\n  CKA_TOKEN = true\n}\n");
        } catch (RuntimeException e) {
            throw new PkiException(ErrorKind.TOKEN_UNAVAILABLE, "the enrollment token '" + token.label()
                    + "' cannot be opened: " + e.getClass().getSimpleName());
        }
        KeyStore store = login(context, provider, token.label());
        try {
            if (store.isKeyEntry(ALIAS)) {
                Certificate[] chain = store.getCertificateChain(ALIAS);
                if (chain != null && chain.length > 0 && !due((X509Certificate) chain[0], context.clock().instant())) {
                    return new Identity(Arrays.stream(chain).map(X509Certificate.class::cast)
                            .toArray(X509Certificate[]::new), (PrivateKey) store.getKey(ALIAS, null), provider);
                }
            }
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA", provider);
            generator.initialize(RSA_BITS);
            KeyPair pair = generator.generateKeyPair();
            byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500NameBuilder(BCStyle.INSTANCE)
                    .addRDN(BCStyle.O, context.config().organisation())
                    .addRDN(BCStyle.CN, context.config().organisation() + " SCEP RA").build(), pair.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withRSA").setProvider(provider).build(pair.getPrivate()))
                    .getEncoded();
            IssuedCertificate issued = certify.apply(csr);
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(x509(issued.certificate()));
            for (X509CertificateHolder h : issued.chain()) {
                chain.add(x509(h));
            }
            X509Certificate[] array = chain.toArray(X509Certificate[]::new);
            if (store.containsAlias(ALIAS)) {
                store.deleteEntry(ALIAS); // the old key and certificate: replaced, not kept beside
            }
            store.setKeyEntry(ALIAS, pair.getPrivate(), null, array);
            PrivateKey stored = (PrivateKey) store.getKey(ALIAS, null);
            return new Identity(array, stored, provider);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new PkiException(ErrorKind.TOKEN_UNAVAILABLE, "the SCEP RA key on the enrollment token '"
                    + token.label() + "' cannot be used: " + e.getClass().getSimpleName() + " " + e.getMessage());
        }
    }

    private static KeyStore login(PkiContext context, Provider provider, String label) {
        char[] pin = context.pin(TokenRole.ENROLL).read();
        try {
            KeyStore store = KeyStore.getInstance("PKCS11", provider);
            store.load(null, pin);
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new PkiException(ErrorKind.TOKEN_LOGIN_FAILED, "the enrollment token '" + label
                    + "' refused the login: " + e.getClass().getSimpleName());
        } finally {
            Arrays.fill(pin, '\0');
        }
    }

    /** Past two thirds of its life, or not valid now. */
    static boolean due(X509Certificate c, Instant now) {
        Instant notBefore = c.getNotBefore().toInstant();
        Instant notAfter = c.getNotAfter().toInstant();
        return now.isBefore(notBefore)
                || now.isAfter(notAfter.minus(Duration.between(notBefore, notAfter).dividedBy(3)));
    }

    private static X509Certificate x509(X509CertificateHolder h) throws CertificateException {
        return new JcaX509CertificateConverter().getCertificate(h);
    }
}
