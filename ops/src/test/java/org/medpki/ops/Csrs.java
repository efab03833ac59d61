package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** CSRs made by openssl, an implementation independent of ours. */
final class Csrs {
    private Csrs() {
    }

    static Path openssl(Path dir, String name, String keyArgs, String subject, String san) throws Exception {
        Path key = dir.resolve(name + ".key");
        Path csr = dir.resolve(name + ".csr");
        List<String> cmd = new ArrayList<>(List.of("openssl", "req", "-new", "-nodes", "-keyout", key.toString(),
                "-out", csr.toString(), "-subj", subject));
        String[] k = keyArgs.split(":");
        if (k[0].equals("ec")) {
            cmd.addAll(List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:" + k[1]));
        } else {
            cmd.addAll(List.of("-newkey", "rsa:" + k[1]));
        }
        if (san != null) {
            cmd.addAll(List.of("-addext", "subjectAltName=" + san));
        }
        PkiProcess.Result r = PkiProcess.tool(Map.of(), cmd.toArray(String[]::new));
        assertThat(r.exit()).as(r.toString()).isZero();
        return csr;
    }
}
