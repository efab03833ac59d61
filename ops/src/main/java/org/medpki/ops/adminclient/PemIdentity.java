package org.medpki.ops.adminclient;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.X509KeyManager;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client certificate chain (PEM, leaf first, as 'pki admin enroll' writes it) and its private
 * key in a PEM file: PKCS#8, or OpenSSL's traditional EC/RSA form; encrypted keys are opened with
 * the passphrase from {@value #PASSPHRASE_VARIABLE} or typed at the terminal.
 */
public record PemIdentity(Path certificate, Path key, Map<String, String> env) implements ClientIdentity {
    private static final Logger LOG = LoggerFactory.getLogger(PemIdentity.class);
    public static final String PASSPHRASE_VARIABLE = "PKI_ADMIN_KEY_PASSPHRASE";
    // OpenSSL 3 encrypts with PBES2 (scrypt or PBKDF2 with HMAC-SHA256), which the JDK's providers do not all read.
    private static final java.security.Provider BC = new org.bouncycastle.jce.provider.BouncyCastleProvider();

    public PemIdentity {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(key, "key");
        env = Map.copyOf(env);
    }

    @Override
    public X509KeyManager open() {
        X509Certificate[] chain = Pem.certificates(certificate, "--cert");
        PrivateKey privateKey = privateKey();
        requireSameKey(privateKey, chain[0]);
        return new FixedKeyManager(privateKey, chain);
    }

    @Override
    public String describe() {
        return "--cert " + certificate + " --key " + key;
    }

    private PrivateKey privateKey() {
        Object parsed;
        try (Reader in = Files.newBufferedReader(key, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(in)) {
            parsed = parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw Pem.unreadable("--key", key, e);
        }
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try {
            return switch (parsed) {
                case PrivateKeyInfo info -> converter.getPrivateKey(info);
                case PEMKeyPair pair -> converter.getKeyPair(pair).getPrivate();
                case PKCS8EncryptedPrivateKeyInfo encrypted -> withPassphrase(p -> converter.getPrivateKey(
                        encrypted.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC).build(p))));
                case PEMEncryptedKeyPair encrypted -> withPassphrase(p -> converter.getKeyPair(
                        encrypted.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(BC).build(p))).getPrivate());
                case null -> throw new PkiException(ErrorKind.MALFORMED, "--key " + key + " holds no PEM private key");
                default -> throw new PkiException(ErrorKind.MALFORMED, "--key " + key
                        + " holds no private key (it holds a " + parsed.getClass().getSimpleName() + ")");
            };
        } catch (IOException e) {
            throw new PkiException(ErrorKind.MALFORMED, "--key " + key + " is not a private key this command can use: "
                    + e.getClass().getSimpleName());
        }
    }

    private interface Decryption {
        PrivateKey apply(char[] passphrase) throws IOException, OperatorCreationException, PKCSException;
    }

    private PrivateKey withPassphrase(Decryption decryption) {
        char[] passphrase = SecretInput.read(env, PASSPHRASE_VARIABLE, "the passphrase of " + key);
        try {
            return decryption.apply(passphrase);
        } catch (IOException | OperatorCreationException | PKCSException | RuntimeException e) {
            LOG.debug("decrypting {}", key, e);
            // Which of the two it was, a typo or a damaged file, the library does not say reliably.
            throw new PkiException(ErrorKind.MALFORMED, "--key " + key
                    + " could not be decrypted: wrong passphrase, or an encryption this command cannot read");
        } finally {
            Arrays.fill(passphrase, '\0');
        }
    }

    /** A signature made with the key must verify with the certificate: else the handshake fails later, less clearly. */
    private void requireSameKey(PrivateKey privateKey, X509Certificate leaf) {
        String algorithm = switch (privateKey.getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> throw new PkiException(ErrorKind.BAD_PUBLIC_KEY, "--key " + key + " is a "
                    + privateKey.getAlgorithm() + " key; an administrator's key is EC or RSA");
        };
        byte[] probe = "medpki admin identity check".getBytes(StandardCharsets.US_ASCII);
        boolean same;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(probe);
            same = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            same = false;
        }
        if (!same) {
            throw new PkiException(ErrorKind.MALFORMED, "--key " + key + " is not the key of the certificate in --cert "
                    + certificate + " (" + leaf.getSubjectX500Principal().getName() + ")");
        }
    }
}
