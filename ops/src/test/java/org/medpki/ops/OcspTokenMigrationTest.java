package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An installation whose config.yaml has no ocspToken and whose OCSP token does not exist (as one
 * made before the OCSP signers had a token of their own): the responder's side refuses in one
 * line (no OCSP PIN), and 'pki ocsp rotate' creates the SoftHSM2 token under the default label with a lab PIN
 * of its own and moves every signer there, after which the responder's side works.
 */
class OcspTokenMigrationTest {
    @TempDir
    static Path tmp;

    @Test
    void anInstallationWithoutTheOcspTokenGetsItAtTheNextRotation() throws Exception {
        PkiProcess pki = new PkiProcess(tmp.resolve("home"), TestEnvironment.newDatabase());
        PkiProcess.Result init = pki.run("init", "--token-label", "migrate");
        assertThat(init.exit()).as(init.toString()).isZero();
        Map<String, String> env = Map.of("SOFTHSM2_CONF", pki.env().get("SOFTHSM2_CONF"));
        // Back to the older layout: no ocspToken in medpki.yaml, no OCSP token, no OCSP PIN file.
        PkiProcess.Result deleted = PkiProcess.tool(env, "softhsm2-util", "--delete-token", "--token", "migrate-ocsp");
        assertThat(deleted.exit()).as(deleted.toString()).isZero();
        Files.delete(pki.home().resolve("ocsp-token.pin"));
        Path config = pki.home().resolve("medpki.yaml");
        String yaml = Files.readString(config);
        String older = yaml.replaceAll("(?m)^ocspToken:\\n(?:[ ].*\\n)*", "");
        assertThat(older).doesNotContain("ocspToken").contains("token:");
        Files.writeString(config, older);

        PkiProcess.Result refused = pki.run("ocsp", "export", "--out", tmp.resolve("staple").toString());
        // No OCSP PIN given and none generated yet: a configuration error (exit 8), in one line.
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(8);
        assertThat(refused.err().strip().lines()).as(refused.toString()).hasSize(1);
        assertThat(refused.err()).contains("PKI_OCSP_TOKEN_PIN");

        PkiProcess.Result rotate = pki.run("ocsp", "rotate");
        assertThat(rotate.exit()).as(rotate.toString()).isZero();
        assertThat(rotate.out()).contains("rotated the OCSP signer of server-ca")
                .contains("rotated the OCSP signer of identity-ca");
        assertThat(rotate.err()).contains("ocsp-token.pin");
        String ocspPin = Files.readString(pki.home().resolve("ocsp-token.pin")).strip();
        PkiProcess.Result keys = PkiProcess.privateKeyObjects(env, "migrate-ocsp", ocspPin);
        assertThat(keys.exit()).as(keys.toString()).isZero();
        assertThat(keys.out()).contains("server-ca-ocsp.").contains("identity-ca-ocsp.");

        PkiProcess.Result export = pki.run(Map.of("PKI_TOKEN_PIN", "not-the-ca-pin"), "ocsp", "export", "--out",
                tmp.resolve("staple").toString());
        assertThat(export.exit()).as(export.toString()).isZero();
        PkiProcess.Result again = pki.run("ocsp", "rotate");
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(again.out()).contains("nothing rotated");
    }
}
