package org.medpki.ops.backup;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.X509KeyManager;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.ops.adminclient.ClientIdentity;

/**
 * Dual control of a forced restore (a backup older than a CRL the target can see): two
 * administrators each sign the restore statement of this very backup (its manifest's SHA-256) with
 * the identity they use for the admin API ('pki admin': PEM files or a PKCS#11 token), by 'pki
 * restore approve'. The restore accepts the approvals when each signature verifies with its
 * certificate, each certificate is valid and chains to the backup's root, and - checked in the
 * restored inventory before the restore completes - each belongs to a different administrator
 * holding the role {@code approver} or {@code security-officer}, with the certificate not revoked.
 */
public final class RestoreApprovals {
    public static final int REQUIRED = 2;
    static final Set<String> APPROVING_ROLES = Set.of("approver", "security-officer");
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private RestoreApprovals() {
    }

    /** One approval file: the statement, the approver's certificate chain (PEM), and the signature over the statement. */
    record Approval(@JsonProperty("statement") String statement, @JsonProperty("chain") String chain,
                    @JsonProperty("algorithm") String algorithm, @JsonProperty("signature") String signature) {
    }

    /** An approval that verified: whose certificate (issuer's CA name and serial) and its subject. */
    public record Approver(String file, String caName, BigInteger serial, String subject) {
    }

    /** What the approvers sign: this backup, forced. */
    public static String statement(BackupVerifier.VerifiedBackup backup) {
        return "medpki: restore, with --force, the backup whose manifest has SHA-256 " + backup.manifestSha256()
                + " (" + backup.manifest().domain() + ", made " + backup.manifest().createdAt() + ")";
    }

    /** 'pki restore approve': the approval of {@code backup} signed with {@code identity}'s key. */
    public static byte[] approve(BackupVerifier.VerifiedBackup backup, ClientIdentity identity) {
        X509KeyManager keys = identity.open();
        PrivateKey key = keys.getPrivateKey("admin");
        X509Certificate[] chain = keys.getCertificateChain("admin");
        String algorithm = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA"
                : "RSA".equals(key.getAlgorithm()) ? "SHA256withRSA" : "Ed25519";
        String statement = statement(backup);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(statement.getBytes(StandardCharsets.UTF_8));
            StringBuilder pem = new StringBuilder();
            for (X509Certificate c : chain) {
                pem.append("-----BEGIN CERTIFICATE-----\n")
                        .append(Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                                .encodeToString(c.getEncoded()))
                        .append("\n-----END CERTIFICATE-----\n");
            }
            return MAPPER.writeValueAsBytes(new Approval(statement, pem.toString(), algorithm,
                    Base64.getEncoder().encodeToString(signer.sign())));
        } catch (GeneralSecurityException | IOException e) {
            throw new PkiException(ErrorKind.TOKEN_UNAVAILABLE, "cannot sign the approval with "
                    + identity.describe() + ": " + e.getClass().getSimpleName());
        }
    }

    /**
     * The approvers of {@code files} for {@code backup}, checked as far as the backup alone allows
     * (signature, validity, chain to the backup's root, two different certificates and subjects);
     * UNAUTHORIZED naming the file and the reason otherwise.
     */
    public static List<Approver> verify(BackupVerifier.VerifiedBackup backup, List<Path> files, Instant now) {
        if (files.size() < REQUIRED) {
            throw new PkiException(ErrorKind.UNAUTHORIZED, "a forced restore needs the approvals of " + REQUIRED
                    + " different administrators (--approval FILE, once each, made with 'pki restore approve'); "
                    + files.size() + " given");
        }
        String statement = statement(backup);
        List<Approver> approvers = new ArrayList<>();
        Set<String> subjects = new HashSet<>();
        Set<String> keys = new HashSet<>();
        for (Path file : files) {
            String name = file.toString();
            Approval approval;
            try {
                approval = MAPPER.readValue(Files.readAllBytes(file), Approval.class);
            } catch (IOException e) {
                throw new PkiException(ErrorKind.MALFORMED, "--approval " + name + " is not an approval made by "
                        + "'pki restore approve': " + BackupManifest.firstLine(e.getMessage()));
            }
            if (!statement.equals(approval.statement())) {
                throw new PkiException(ErrorKind.UNAUTHORIZED, "--approval " + name + " approves something else, not "
                        + "the restore of this backup (" + backup.manifestSha256() + ")");
            }
            X509Certificate leaf = leaf(approval, name);
            try {
                leaf.checkValidity(Date.from(now));
            } catch (GeneralSecurityException e) {
                throw new PkiException(ErrorKind.UNAUTHORIZED, "--approval " + name + ": the certificate of "
                        + leaf.getSubjectX500Principal().getName() + " is not valid now");
            }
            BackupVerifier.requireChain(leaf, backup.certificates(), backup.root(), "--approval " + name
                    + ": the certificate of " + leaf.getSubjectX500Principal().getName());
            if (!verifies(leaf, approval)) {
                throw new PkiException(ErrorKind.UNAUTHORIZED, "--approval " + name + ": the signature does not verify "
                        + "with the certificate of " + leaf.getSubjectX500Principal().getName());
            }
            String issuer = issuerName(leaf, backup.certificates());
            if (!subjects.add(leaf.getSubjectX500Principal().getName())
                    || !keys.add(BackupFiles.sha256(leaf.getPublicKey().getEncoded()))) {
                throw new PkiException(ErrorKind.UNAUTHORIZED, "--approval " + name + " is by "
                        + leaf.getSubjectX500Principal().getName() + ", who approved already: dual control needs "
                        + REQUIRED + " different administrators");
            }
            approvers.add(new Approver(name, issuer, leaf.getSerialNumber(), leaf.getSubjectX500Principal().getName()));
        }
        return List.copyOf(approvers);
    }

    private static X509Certificate leaf(Approval approval, String name) {
        try {
            var all = CertificateFactory.getInstance("X.509").generateCertificates(
                    new ByteArrayInputStream(approval.chain().getBytes(StandardCharsets.US_ASCII)));
            if (all.isEmpty()) {
                throw new PkiException(ErrorKind.MALFORMED, "--approval " + name + " holds no certificate");
            }
            return (X509Certificate) all.iterator().next();
        } catch (GeneralSecurityException | NullPointerException e) {
            throw new PkiException(ErrorKind.MALFORMED, "--approval " + name + ": its chain is not PEM certificates");
        }
    }

    private static boolean verifies(X509Certificate leaf, Approval approval) {
        try {
            Signature verifier = Signature.getInstance(approval.algorithm());
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(approval.statement().getBytes(StandardCharsets.UTF_8));
            return verifier.verify(Base64.getDecoder().decode(approval.signature()));
        } catch (GeneralSecurityException | IllegalArgumentException | NullPointerException e) {
            return false;
        }
    }

    private static String issuerName(X509Certificate leaf, Map<String, X509Certificate> certificates) {
        for (Map.Entry<String, X509Certificate> c : certificates.entrySet()) {
            if (c.getValue().getSubjectX500Principal().equals(leaf.getIssuerX500Principal())) {
                try {
                    leaf.verify(c.getValue().getPublicKey());
                    return c.getKey();
                } catch (GeneralSecurityException e) {
                    // Another CA of the same name; keep looking.
                }
            }
        }
        throw new IllegalStateException("requireChain found the issuer");
    }
}
