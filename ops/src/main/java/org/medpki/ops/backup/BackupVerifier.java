package org.medpki.ops.backup;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * Checks a backup before anything of it is used: the manifest's signature by the audit
 * certificate the backup itself carries, that certificate's chain to the root whose fingerprint
 * the manifest names, and the SHA-256 of every file; a file that is missing, changed or not in the
 * manifest is named. A damaged backup is MALFORMED (exit 3); a manifest whose signature does not
 * verify with the backup's own audit certificate (another installation's, or edited) is
 * UNAUTHORIZED (exit 9).
 */
public final class BackupVerifier {
    private BackupVerifier() {
    }

    /** A backup whose every file matches its signed manifest. */
    public record VerifiedBackup(Path dir, BackupManifest manifest, String manifestSha256,
                                 Map<String, X509Certificate> certificates, X509Certificate root,
                                 X509Certificate auditSigner) {
    }

    public static VerifiedBackup verify(Path dir) {
        Path from = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
            throw new PkiException(ErrorKind.NOT_FOUND, "--from " + from + " is not a directory");
        }
        byte[] json = read(from, BackupManifest.FILE, "not a medpki backup, or an incomplete one");
        byte[] sig = read(from, BackupManifest.SIGNATURE_FILE, "the backup is incomplete or its manifest unsigned");
        BackupManifest manifest = BackupManifest.parse(json);
        BackupManifest.Signature signature = BackupManifest.Signature.parse(sig);

        // The certificates first (each checked against the manifest), to know whose signature to expect.
        Map<String, X509Certificate> certificates = new LinkedHashMap<>();
        for (Map.Entry<String, String> f : manifest.files().entrySet()) {
            String name = f.getKey();
            if (name.startsWith(BackupWriter.CERTIFICATES + "/") && name.endsWith(".pem")) {
                Path file = checked(from, name, f.getValue());
                certificates.put(name.substring(BackupWriter.CERTIFICATES.length() + 1, name.length() - 4),
                        certificate(file, name));
            }
        }
        X509Certificate root = certificates.get(manifest.root());
        if (root == null || !BackupFiles.sha256(encoded(root)).equals(manifest.rootSha256())) {
            throw new PkiException(ErrorKind.MALFORMED, "the backup does not hold the root certificate '"
                    + manifest.root() + "' that its manifest names (SHA-256 " + manifest.rootSha256() + ")");
        }
        X509Certificate auditSigner = certificates.get(manifest.auditSigner());
        if (auditSigner == null || !signature.signer().equals(manifest.auditSigner())) {
            throw new PkiException(ErrorKind.UNAUTHORIZED, BackupManifest.SIGNATURE_FILE + " names signer '"
                    + signature.signer() + "', which is not this backup's audit certificate '" + manifest.auditSigner()
                    + "'");
        }
        requireChain(auditSigner, certificates, root, "the audit certificate '" + manifest.auditSigner() + "'");
        if (!verifies(auditSigner, signature, BackupManifest.signedBytes(json))) {
            throw new PkiException(ErrorKind.UNAUTHORIZED, BackupManifest.FILE + " is not signed by this backup's "
                    + "audit key ('" + manifest.auditSigner() + "' under root " + root.getSubjectX500Principal().getName()
                    + "): the manifest was changed, or belongs to another backup or installation");
        }

        // Then every file: none missing, none changed, none added.
        Set<String> listed = new HashSet<>(manifest.files().keySet());
        for (Map.Entry<String, String> f : manifest.files().entrySet()) {
            checked(from, f.getKey(), f.getValue());
        }
        try {
            for (Path file : BackupFiles.regularFiles(from)) {
                String name = from.relativize(file).toString();
                if (!listed.contains(name) && !name.equals(BackupManifest.FILE)
                        && !name.equals(BackupManifest.SIGNATURE_FILE)) {
                    throw new PkiException(ErrorKind.MALFORMED, "the backup holds " + name
                            + ", which its manifest does not list: it is not the backup that was signed");
                }
            }
        } catch (IOException e) {
            throw new PkiException(ErrorKind.MALFORMED, "the backup in " + from + " cannot be read: " + e.getMessage());
        }
        if (!listed.contains(BackupWriter.DUMP)) {
            throw new PkiException(ErrorKind.MALFORMED, "the manifest lists no " + BackupWriter.DUMP);
        }
        return new VerifiedBackup(from, manifest, BackupFiles.sha256(json), Map.copyOf(certificates), root, auditSigner);
    }

    /** The file {@code name} of the backup, when it is a regular file inside it with this SHA-256. */
    private static Path checked(Path from, String name, String sha256) {
        Path file = from.resolve(name).normalize();
        if (Path.of(name).isAbsolute() || !file.startsWith(from) || name.contains("..")) {
            throw new PkiException(ErrorKind.MALFORMED, "the manifest names " + name + ", which is outside the backup");
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new PkiException(ErrorKind.MALFORMED, name + " is missing from the backup (the manifest lists it)");
        }
        String actual;
        try {
            actual = BackupFiles.sha256(file);
        } catch (IOException e) {
            throw new PkiException(ErrorKind.MALFORMED, name + " of the backup cannot be read: " + e.getMessage());
        }
        if (!actual.equalsIgnoreCase(sha256)) {
            throw new PkiException(ErrorKind.MALFORMED, name + " is damaged: its SHA-256 is " + actual
                    + ", the manifest says " + sha256);
        }
        return file;
    }

    /** {@code certificate}'s chain, by issuer name and signature, up to {@code root}. */
    static void requireChain(X509Certificate certificate, Map<String, X509Certificate> pool, X509Certificate root,
                             String what) {
        X509Certificate current = certificate;
        for (int depth = 0; depth < 8; depth++) {
            if (current.equals(root)) {
                return;
            }
            X509Certificate issuer = null;
            for (X509Certificate candidate : pool.values()) {
                if (candidate.getSubjectX500Principal().equals(current.getIssuerX500Principal())
                        && signedBy(current, candidate)) {
                    issuer = candidate;
                    break;
                }
            }
            if (issuer == null || issuer.equals(current)) {
                break;
            }
            current = issuer;
        }
        throw new PkiException(ErrorKind.UNAUTHORIZED, what + " does not chain to the backup's root "
                + root.getSubjectX500Principal().getName());
    }

    private static boolean signedBy(X509Certificate certificate, X509Certificate issuer) {
        try {
            certificate.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static boolean verifies(X509Certificate signer, BackupManifest.Signature signature, byte[] data) {
        try {
            Signature verifier = Signature.getInstance(signature.algorithm());
            verifier.initVerify(signer.getPublicKey());
            verifier.update(data);
            return verifier.verify(Base64.getDecoder().decode(signature.signature()));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] read(Path from, String name, String missing) {
        Path file = from.resolve(name);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new PkiException(ErrorKind.MALFORMED, "no " + name + " in " + from + ": " + missing);
        }
        try {
            if (Files.size(file) > 16 * 1024 * 1024) {
                throw new PkiException(ErrorKind.MALFORMED, name + " is larger than 16 MiB: not a manifest");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new PkiException(ErrorKind.MALFORMED, name + " cannot be read: " + e.getMessage());
        }
    }

    static X509Certificate certificate(Path file, String name) {
        try {
            List<? extends java.security.cert.Certificate> all = List.copyOf(CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(file))));
            if (all.size() != 1) {
                throw new PkiException(ErrorKind.MALFORMED, name + " holds " + all.size() + " certificates, not one");
            }
            return (X509Certificate) all.getFirst();
        } catch (IOException | GeneralSecurityException e) {
            throw new PkiException(ErrorKind.MALFORMED, name + " is not a PEM certificate");
        }
    }

    static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a parsed certificate encodes", e);
        }
    }
}
