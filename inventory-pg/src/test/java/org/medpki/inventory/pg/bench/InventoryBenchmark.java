package org.medpki.inventory.pg.bench;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.audit.AuditLog;
import org.medpki.core.audit.AuditVerifier;
import org.medpki.core.inventory.CaRole;
import org.medpki.core.inventory.CertificateIntent;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.inventory.NewCa;
import org.medpki.inventory.pg.DatabaseUrl;
import org.medpki.inventory.pg.InventoryDatabase;

/**
 * Not a test: how many simulated issuances per second the inventory sustains, each being
 * recordIntent + recordIssued + one audit record, from N threads at once.
 * <p>
 * Arguments: [threads (64)] [seconds (5)] [pool size (16)]. The database is made in the cluster
 * of $PKI_TEST_PG_ADMIN_URL and dropped afterwards.
 */
public final class InventoryBenchmark {

    private static final LongAdder[] STAGES = {new LongAdder(), new LongAdder(), new LongAdder()};

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int poolSize = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        String adminUrl = System.getenv("PKI_TEST_PG_ADMIN_URL");
        if (adminUrl == null) {
            throw new IllegalStateException("set PKI_TEST_PG_ADMIN_URL (ops/test sets it) to a superuser URL");
        }
        DatabaseUrl admin = DatabaseUrl.parse(adminUrl);
        String name = "medpki_bench_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        try (Connection c = DriverManager.getConnection(admin.jdbcUrl(), admin.user(), admin.password());
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        String url = "postgresql://" + admin.user() + ":" + java.net.URLEncoder.encode(admin.password(),
                java.nio.charset.StandardCharsets.UTF_8) + "@" + admin.host() + ":" + admin.port() + "/" + name;
        try (InventoryDatabase db = InventoryDatabase.open(url, poolSize);
             AuditLog audit = new AuditLog(db.auditStore(), Clock.systemUTC())) {
            Inventory inventory = db.inventory();
            long caId = inventory.saveCa(new NewCa("Bench Root", CaRole.ROOT, null, "bench-key", selfSigned(), null, null)).id();
            run(inventory, audit, caId, threads, 1); // warm-up: JIT, prepared statements, pool
            for (LongAdder a : STAGES) {
                a.reset();
            }
            LongAdder done = run(inventory, audit, caId, threads, seconds);
            long ops = done.sum();
            System.out.printf("mean latency per stage: intent %.1f ms, issued %.1f ms, audit %.1f ms%n",
                    STAGES[0].sum() / 1e6 / ops, STAGES[1].sum() / 1e6 / ops, STAGES[2].sum() / 1e6 / ops);
            System.out.printf("%d threads, pool %d, %d s: %d issuances, %.0f issuances/s (each intent + issued + audit)%n",
                    threads, poolSize, seconds, ops, ops / (double) seconds);
            var report = new AuditVerifier(db.auditStore()).verify(null);
            System.out.printf("audit chain: %d entries, ok=%s%n", report.entries(), report.ok());
        } finally {
            try (Connection c = DriverManager.getConnection(admin.jdbcUrl(), admin.user(), admin.password());
                 Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        }
    }

    private static LongAdder run(Inventory inventory, AuditLog audit, long caId, int threads, int seconds)
            throws InterruptedException {
        LongAdder done = new LongAdder();
        AtomicLong failures = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        SecureRandom random = new SecureRandom();
        List<Thread> workers = new ArrayList<>();
        byte[] tbs = new byte[400];
        byte[] der = new byte[500];
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().start(() -> {
                while (System.nanoTime() < end) {
                    BigInteger serial = new BigInteger(159, random).setBit(150);
                    Instant now = Instant.now();
                    try {
                        long t0 = System.nanoTime();
                        inventory.recordIntent(new CertificateIntent(caId, serial, "tls-server", "CN=bench.example",
                                List.of("bench.example"), now, now.plus(90, ChronoUnit.DAYS), tbs, new byte[32], "bench"));
                        long t1 = System.nanoTime();
                        inventory.recordIssued(caId, serial, der);
                        long t2 = System.nanoTime();
                        audit.record(AuditEvent.success(now, "certificate.issued", "bench",
                                Map.of("ca", Long.toString(caId), "serial", serial.toString(16))));
                        long t3 = System.nanoTime();
                        STAGES[0].add(t1 - t0);
                        STAGES[1].add(t2 - t1);
                        STAGES[2].add(t3 - t2);
                        done.increment();
                    } catch (RuntimeException e) {
                        if (failures.incrementAndGet() < 5) {
                            System.err.println("issuance failed: " + e);
                        }
                    }
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
        return done;
    }

    private static byte[] selfSigned() throws Exception {
        var g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        var key = g.generateKeyPair();
        var name = new org.bouncycastle.asn1.x500.X500Name("CN=Bench Root");
        Instant now = Instant.now();
        return new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name, BigInteger.ONE,
                java.util.Date.from(now), java.util.Date.from(now.plus(365, ChronoUnit.DAYS)), name, key.getPublic())
                .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()))
                .getEncoded();
    }
}
