package org.medpki.ocsp;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * Writes the current pre-signed responses as files for servers that staple from files (nginx
 * {@code ssl_stapling_file}, HAProxy {@code <certificate>.ocsp}): one DER OCSPResponse per
 * certificate named {@code <serial>.ocsp}, the serial in lower-case hex as 'pki list' shows it;
 * should a serial exist under two issuing CAs, both files are named {@code <ca-name>-<serial>.ocsp}.
 * Each file is written to a temporary name and moved into place, so a server reloading it never
 * reads half a response.
 */
public final class StaplingExport {
    private StaplingExport() {
    }

    /** What was written. */
    public record Written(Path file, long caId, BigInteger serial, String status) {
    }

    public static List<Written> write(OcspRepository store, Map<Long, String> caNames, Path dir, Instant now) {
        List<OcspRepository.Stored> rows = store.all(now);
        Map<BigInteger, Integer> perSerial = new HashMap<>();
        rows.forEach(r -> perSerial.merge(r.serial(), 1, Integer::sum));
        try {
            Files.createDirectories(dir);
            return rows.stream().map(r -> {
                String serial = r.serial().toString(16);
                String name = perSerial.get(r.serial()) > 1
                        ? caNames.getOrDefault(r.caId(), Long.toString(r.caId())) + "-" + serial + ".ocsp"
                        : serial + ".ocsp";
                Path target = dir.resolve(name);
                try {
                    Path tmp = dir.resolve("." + name + "." + ProcessHandle.current().pid() + ".tmp"); // exports may overlap
                    Files.write(tmp, r.der());
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    throw new PkiException(ErrorKind.CONFIGURATION, "cannot write " + target + ": " + e.getMessage());
                }
                return new Written(target, r.caId(), r.serial(), r.status());
            }).toList();
        } catch (IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, "cannot create " + dir + ": " + e.getMessage());
        }
    }
}
