package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a process in the middle of a batch of issuances (SIGKILL, no shutdown hooks) and checks
 * that the inventory is consistent: every certificate that was signed and stored matches its
 * intent row, intent rows without a certificate stay pending, and the audit chain verifies.
 */
class CrashConsistencyTest {

    @TempDir
    Path tmp;

    @Test
    void killedMidBatchLeavesAConsistentInventory() throws Exception {
        String db = TestEnvironment.newDatabase();
        PkiProcess pki = new PkiProcess(tmp.resolve("home"), db);
        PkiProcess.Result init = pki.run("init", "--token-label", "crash");
        assertThat(init.exit()).as(init.toString()).isZero();

        Process batch = pki.start(Map.of(), "bench", "issue", "--count", "1000000", "--threads", "16").process();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (issued(db) < 500) {
                assertThat(batch.isAlive()).as("the batch runs").isTrue();
                assertThat(System.nanoTime()).as("500 certificates within 120 s").isLessThan(deadline);
                Thread.sleep(100);
            }
        } finally {
            batch.destroyForcibly().waitFor();
        }

        int checked = 0;
        try (Connection c = TestEnvironment.connect(db); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT serial, status, tbs, der FROM certificate");
            while (rs.next()) {
                String status = rs.getString("status");
                byte[] der = rs.getBytes("der");
                if (status.equals("pending")) {
                    assertThat(der).as("a pending row holds no certificate").isNull();
                    continue;
                }
                X509CertificateHolder cert = new X509CertificateHolder(der);
                assertThat(cert.getSerialNumber()).isEqualTo(rs.getBigDecimal("serial").toBigIntegerExact());
                assertThat(Arrays.equals(cert.toASN1Structure().getTBSCertificate().getEncoded("DER"),
                        rs.getBytes("tbs"))).as("the signed certificate is the planned one").isTrue();
                checked++;
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(500);
        PkiProcess.Result verify = pki.run("audit", "verify");
        assertThat(verify.exit()).as(verify.toString()).isZero();
    }

    private static long issued(String db) throws Exception {
        try (Connection c = TestEnvironment.connect(db); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT count(*) FROM certificate WHERE status = 'issued'");
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            return 0; // the schema appears with the first migration
        }
    }
}
