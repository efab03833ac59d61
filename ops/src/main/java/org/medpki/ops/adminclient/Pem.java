package org.medpki.ops.adminclient;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/** Certificates from the PEM files an operator names, with errors that name the option and the file. */
final class Pem {
    private Pem() {
    }

    /** Every certificate in {@code file}, in order; at least one. */
    static X509Certificate[] certificates(Path file, String option) {
        try (InputStream in = Files.newInputStream(file)) {
            var found = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (found.isEmpty()) {
                throw new PkiException(ErrorKind.MALFORMED, option + " " + file + " holds no certificate");
            }
            return found.stream().map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
        } catch (IOException | CertificateException e) {
            throw unreadable(option, file, e);
        }
    }

    static PkiException unreadable(String option, Path file, Exception e) {
        if (e instanceof NoSuchFileException || !Files.exists(file)) {
            return new PkiException(ErrorKind.MALFORMED, option + " " + file + ": no such file");
        }
        if (!Files.isReadable(file) || Files.isDirectory(file)) {
            return new PkiException(ErrorKind.MALFORMED, option + " " + file + ": not a readable file");
        }
        return new PkiException(ErrorKind.MALFORMED, option + " " + file + ": not PEM this command can read ("
                + e.getClass().getSimpleName() + ")");
    }
}
