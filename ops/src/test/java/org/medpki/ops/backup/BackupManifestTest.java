package org.medpki.ops.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

class BackupManifestTest {
    private static BackupManifest manifest() {
        return new BackupManifest(BackupManifest.FORMAT, "medpki 0.1.0", "2026-12-06T17:00:00Z", "hospital.test",
                "root-ca", "ab".repeat(32), "audit", Map.of("server-ca", BigInteger.valueOf(7)), 42, 3, "1f",
                Map.of("ca", new BackupManifest.Token("medpki", "tokens/x")), Map.of("database.dump", "cd".repeat(32)));
    }

    @Test
    void aManifestReadsBackAsWritten() {
        byte[] json = manifest().toJson();
        assertThat(BackupManifest.parse(json)).isEqualTo(manifest());
        assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"newestCrlNumbers\"").contains("\"server-ca\" : 7");
    }

    @Test
    void anotherFormatAnUnknownMemberOrGarbageIsMalformedNamingTheFile() {
        String json = new String(manifest().toJson(), StandardCharsets.UTF_8);
        for (String bad : new String[] {
                json.replace(BackupManifest.FORMAT, "medpki-backup/9"),
                json.replace("\"domain\"", "\"colour\" : 1, \"domain\""),
                json.replace("\"highestAuditSeq\" : 42", "\"highestAuditSeq\" : null"),
                "not json", ""}) {
            assertThatThrownBy(() -> BackupManifest.parse(bad.getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOfSatisfying(PkiException.class, e -> {
                        assertThat(e.kind()).isEqualTo(ErrorKind.MALFORMED);
                        assertThat(e.detail()).startsWith("manifest.json ");
                    });
        }
    }

    @Test
    void theSignedBytesCarryAContextSoAManifestSignatureIsNeverACheckpointSignature() {
        byte[] json = manifest().toJson();
        byte[] signed = BackupManifest.signedBytes(json);
        assertThat(new String(signed, StandardCharsets.US_ASCII)).startsWith("medpki backup manifest\n");
        assertThat(signed.length).isGreaterThan(json.length);
    }
}
