package org.medpki.crl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.cert.X509CRLHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CRLs as files ({@code name.crl} DER and {@code name.pem}) for a web server or object
 * store to serve. Each file is written to a temporary name in the same directory and renamed
 * over the old one, so a reader sees the old CRL or the new one, never half of one.
 */
final class CrlDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(CrlDirectory.class);

    private final Path dir;

    CrlDirectory(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    void write(ServedFile crl) {
        try {
            Files.createDirectories(dir);
            replace(crl.stem() + ".crl", crl.der());
            replace(crl.stem() + ".pem", crl.pem().getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            LOG.error("cannot write {} to {}: {}", crl.stem(), dir, e.toString());
        }
    }

    private void replace(String name, byte[] content) throws IOException {
        // A temporary name of this process and thread: 'pki ca revoke' and 'pki crl' on the CA host
        // write the root's CRL into the same directory as the running publisher, maybe at once.
        Path tmp = dir.resolve("." + name + "." + ProcessHandle.current().pid() + "-" + Thread.currentThread().threadId()
                + ".tmp");
        Files.write(tmp, content);
        try {
            Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The CRLs written before, for serving when the database is down at start. */
    Map<String, ServedFile> read() {
        Map<String, ServedFile> out = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.crl")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                byte[] der = Files.readAllBytes(f);
                X509CRLHolder crl = new X509CRLHolder(der);
                String stem = name.substring(0, name.length() - 4);
                out.put(stem, ServedFile.crl(stem, der, crl.getThisUpdate().toInstant(),
                        crl.getNextUpdate() == null ? null : crl.getNextUpdate().toInstant()));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot read the CRLs in {}: {}", dir, e.toString());
        }
        return out;
    }
}
