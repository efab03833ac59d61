package org.medpki.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'pki bench seed' on a real installation: the rows it adds are what a year of issuance and ACME
 * would leave (certificates that decode as their rows say, orders that point at their
 * certificates, authorizations and challenges), it needs --scratch, refuses bad counts without
 * adding anything, and leaves an audit entry.
 */
class BenchSeedTest {
    @TempDir
    static Path tmp;
    static PkiProcess pki;
    static String database;

    @BeforeAll
    static void init() throws Exception {
        database = TestEnvironment.newDatabase();
        pki = new PkiProcess(tmp.resolve("home"), database);
        PkiProcess.Result init = pki.run("init", "--http-port", Integer.toString(AcmeLab.freePort(2)));
        assertThat(init.exit()).as(init.toString()).isZero();
    }

    @Test
    void seedsCertificatesAndOrdersThatHangTogether() throws Exception {
        long before = count("SELECT count(*) FROM certificate");
        PkiProcess.Result r = pki.run("bench", "seed", "--scratch", "--certificates", "600", "--orders", "500");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("seeded 600 certificates").contains("500 ACME orders (420 finished) of 5 accounts");

        assertThat(count("SELECT count(*) FROM certificate")).isEqualTo(before + 600);
        // 100 names, six generations each, newest still valid; 70 tls-server names, 20 device, 10 tls-client.
        assertThat(count("SELECT count(DISTINCT subject) FROM certificate WHERE requester LIKE 'acme:bench-%' "
                + "OR requester = 'bench'")).isEqualTo(100);
        assertThat(count("SELECT count(*) FROM certificate WHERE profile = 'tls-server' AND (requester LIKE "
                + "'acme:bench-%' OR requester = 'bench')")).isEqualTo(420);
        assertThat(count("SELECT count(*) FROM certificate WHERE profile = 'device' AND requester = 'bench'"))
                .isEqualTo(120);
        assertThat(count("SELECT count(*) FROM certificate c JOIN certificate_owner o USING (ca_id, serial) "
                + "WHERE o.updated_by = 'bench'")).isEqualTo(600);
        // Every finished order names a seeded certificate by its hex serial, and its chain starts with it.
        assertThat(count("SELECT count(*) FROM acme_order WHERE status = 'valid' AND cert_serial IS NOT NULL"))
                .isEqualTo(420);
        assertThat(count("SELECT count(*) FROM acme_order WHERE status = 'invalid' AND error LIKE '%unauthorized%'"))
                .isEqualTo(80);
        assertThat(count("SELECT count(*) FROM acme_order_authorization oa JOIN acme_authorization a ON a.id = oa.authz_id "
                + "JOIN acme_challenge ch ON ch.authz_id = a.id")).isEqualTo(500);

        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        try (Connection c = TestEnvironment.connect(database); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT o.cert_serial, o.cert_chain, o.identifiers, o.account_id FROM acme_order o "
                     + "WHERE o.status = 'valid' ORDER BY o.created_at DESC LIMIT 25")) {
            int checked = 0;
            while (rows.next()) {
                X509Certificate cert = (X509Certificate) cf.generateCertificates(new ByteArrayInputStream(
                        rows.getString(2).getBytes(java.nio.charset.StandardCharsets.US_ASCII))).iterator().next();
                assertThat(cert.getSerialNumber().toString(16)).isEqualTo(rows.getString(1));
                String host = cert.getSubjectX500Principal().getName().substring(3);
                assertThat(rows.getString(3)).contains("\"value\":\"" + host + "\"");
                try (Statement q = c.createStatement(); ResultSet row = q.executeQuery(
                        "SELECT subject, sans, not_after, spki_sha256, der, tbs, requester FROM certificate WHERE serial = "
                                + new BigInteger(rows.getString(1), 16))) {
                    assertThat(row.next()).as("the order's certificate is in the inventory").isTrue();
                    assertThat(row.getString(1)).isEqualTo("CN=" + host);
                    assertThat(row.getString(2)).isEqualTo("{dns:" + host + "}");
                    assertThat(row.getTimestamp(3).toInstant()).isEqualTo(cert.getNotAfter().toInstant());
                    assertThat(row.getBytes(4)).isEqualTo(MessageDigest.getInstance("SHA-256")
                            .digest(cert.getPublicKey().getEncoded()));
                    assertThat(row.getBytes(5)).isEqualTo(cert.getEncoded());
                    assertThat(row.getBytes(6)).isEqualTo(cert.getTBSCertificate());
                    assertThat(row.getString(7)).isEqualTo("acme:" + rows.getString(4));
                }
                checked++;
            }
            assertThat(checked).isEqualTo(25);
        }
        assertThat(count("SELECT count(*) FROM audit_event WHERE type = 'bench.seeded' AND details LIKE "
                + "'%\"certificates\":\"600\"%'")).isEqualTo(1);
    }

    @Test
    void refusesWithoutScratchAndBadCountsAndAddsNothing() throws Exception {
        long certificates = count("SELECT count(*) FROM certificate");
        long orders = count("SELECT count(*) FROM acme_order");
        PkiProcess.Result noScratch = pki.run("bench", "seed", "--certificates", "10");
        assertThat(noScratch.exit()).isEqualTo(2);
        assertThat(noScratch.err()).contains("--scratch");
        PkiProcess.Result negative = pki.run("bench", "seed", "--scratch", "--certificates", "-1");
        assertThat(negative.exit()).isEqualTo(2);
        assertThat(negative.err()).contains("--certificates and --orders must be from 0 to 100000000")
                .doesNotContain("Exception");
        assertThat(count("SELECT count(*) FROM certificate")).isEqualTo(certificates);
        assertThat(count("SELECT count(*) FROM acme_order")).isEqualTo(orders);
    }

    private static long count(String sql) throws Exception {
        try (Connection c = TestEnvironment.connect(database); Statement s = c.createStatement();
             ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }
}
