package org.medpki.ops.cli;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.crl.CrlDistribution;
import org.medpki.core.hierarchy.CaCertificate;
import org.medpki.core.pem.Pem;
import org.medpki.core.profile.CertificateProfile;
import org.medpki.inventory.pg.PgLogins;
import org.medpki.ops.bench.SeedCertificates;
import org.medpki.ops.install.DatabaseLogins;
import org.medpki.ops.install.DatabaseRole;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Fills a scratch inventory with a year's worth of certificates and finished ACME orders, so that
 * benchmarks can compare each hot path on an empty and on a full inventory. Rows go in with COPY
 * (one stream per table, one transaction: a failed seed leaves nothing), as the schema's owner.
 *
 * <p>The shape: hosts renewed every 60 days for a year (six certificates a name, the newest still
 * valid), 70 % tls-server, 20 % device, 10 % tls-client where the installation has those
 * profiles; 2 % revoked; an owner per certificate. Each tls-server certificate, newest first, has
 * a finished order (valid, with its authorization and http-01 challenge, and the chain as the
 * ACME service stores it); orders beyond those are failed ones (invalid) of the last 30 days.
 * ACME accounts hold a hundred orders each.
 */
@Command(name = "seed", description = "Fill a scratch inventory (COPY, one transaction) with a year of certificates "
        + "and finished ACME orders, to benchmark against a full inventory. Never on a production installation: the "
        + "rows are certificate-shaped data that no CA signed.")
final class BenchSeed implements Callable<Integer> {
    private static final Duration RENEWAL = Duration.ofDays(60);
    private static final int GENERATIONS = 6;
    private static final int ORDERS_PER_ACCOUNT = 100;
    private static final int OWNERS = 200;
    private static final int[] REASONS = {1, 3, 4, 5};

    @Option(names = "--certificates", defaultValue = "0", description = "Certificates to add.")
    long certificates;

    @Option(names = "--orders", defaultValue = "0", description = "Finished ACME orders to add.")
    long orders;

    @Option(names = "--scratch", required = true, description = "Acknowledges that this is a scratch installation.")
    boolean scratch;

    private record Kind(String profile, CaCertificate ca, CrlDistribution crl, Duration validity,
                        SeedCertificates template) {
    }

    @Override
    public Integer call() throws Exception {
        if (certificates < 0 || orders < 0 || certificates > 100_000_000L || orders > 100_000_000L) {
            throw new IllegalArgumentException("--certificates and --orders must be from 0 to 100000000");
        }
        try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment(), DatabaseRole.OWNER)) {
            String domain = "bench." + context.config().domain();
            List<Kind> kinds = kinds(context, domain);
            // Whole seconds: a certificate's dates have no fraction, and the rows must say what the DER says.
            Instant now = context.clock().instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            long started = System.nanoTime();
            Seeded seeded;
            try (Connection c = PgLogins.connect(context.databaseUrl(DatabaseRole.OWNER),
                    DatabaseLogins.applicationName(DatabaseRole.OWNER))) {
                c.setAutoCommit(false);
                seeded = seed(c, kinds, now);
                c.commit();
                c.setAutoCommit(true);
                try (Statement s = c.createStatement()) {
                    for (String table : List.of("certificate", "certificate_owner", "owner", "acme_account",
                            "acme_order", "acme_authorization", "acme_order_authorization", "acme_challenge")) {
                        s.execute("ANALYZE " + table);
                    }
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            Map<String, String> details = new LinkedHashMap<>();
            details.put("certificates", Long.toString(seeded.certificates));
            details.put("orders", Long.toString(seeded.orders));
            details.put("accounts", Long.toString(seeded.accounts));
            context.audit().record(AuditEvent.success(context.clock().instant(), "bench.seeded", Actors.cli(), details));
            System.out.printf("seeded %d certificates (%d revoked), %d ACME orders (%d finished) of %d accounts "
                            + "in %.1f s%n", seeded.certificates, seeded.revoked, seeded.orders, seeded.finished,
                    seeded.accounts, seconds);
        }
        return 0;
    }

    /** The profiles seeded, in the mix's order: tls-server first (it is everyone's fallback). */
    private static List<Kind> kinds(PkiContext context, String domain) {
        List<Kind> kinds = new ArrayList<>();
        for (String name : List.of("tls-server", "device", "tls-client")) {
            if (!context.profiles().names().contains(name)) {
                continue;
            }
            CertificateProfile p = context.profiles().get(name);
            CaCertificate ca = context.hierarchy().issuing(p.issuer());
            KeyPurposeId usage = name.equals("tls-server") ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth;
            kinds.add(new Kind(name, ca, context.crlSettings().distributions().of(ca.name()), p.defaultValidity(),
                    SeedCertificates.template(ca.certificate(), domain, usage)));
        }
        if (kinds.isEmpty() || !kinds.get(0).profile().equals("tls-server")) {
            throw new IllegalStateException("this installation has no tls-server profile to seed");
        }
        return kinds;
    }

    private record Seeded(long certificates, long revoked, long orders, long finished, long accounts) {
    }

    /** Certificate number {@code i} of the seed, the same each time it is asked for. */
    private record CertRow(Kind kind, long host, byte[] serial, BigInteger serialNumber, Instant issued,
                           Instant notAfter, byte[] der, boolean revoked, Instant revokedAt, int reason) {
        String name() {
            return kind.template().host(host);
        }
    }

    /**
     * Everything of one seeded certificate, from the run's seed and its number: COPY takes one
     * table at a time on a connection, so each table's pass computes its rows again instead of
     * keeping a million of them.
     */
    private static CertRow certRow(long seed, long i, long hosts, List<Kind> kinds, Instant now, byte[] points) {
        SplittableRandom random = new SplittableRandom(seed + i * 0x9E3779B97F4A7C15L);
        long gen = GENERATIONS - 1 - i / hosts; // newest generation first: the orders take the first rows
        long host = i % hosts;
        Kind kind = kinds.get(kindOf(host, kinds.size()));
        Instant issued = now.minus(RENEWAL.multipliedBy(GENERATIONS - gen))
                .plusSeconds(Math.floorMod(host * 7919L, RENEWAL.toSeconds()));
        Instant notAfter = issued.plus(kind.validity());
        byte[] serial = new byte[16];
        random.nextBytes(serial);
        serial[0] = (byte) (1 + random.nextInt(127));
        boolean revoked = random.nextInt(100) < 2;
        Instant revokedAt = null;
        if (revoked) {
            Instant end = notAfter.isBefore(now) ? notAfter : now;
            revokedAt = issued.plusSeconds((end.getEpochSecond() - issued.getEpochSecond()) / 2);
        }
        return new CertRow(kind, host, serial, new BigInteger(1, serial), issued, notAfter,
                kind.template().make(serial, host, issued, notAfter, points,
                        (int) (i % (points.length / 64)) * 64), revoked, revokedAt,
                REASONS[random.nextInt(REASONS.length)]);
    }

    private Seeded seed(Connection c, List<Kind> kinds, Instant now) throws SQLException, java.io.IOException {
        long seed = new SecureRandom().nextLong();
        long hosts = Math.max(1, (certificates + GENERATIONS - 1) / GENERATIONS);
        long accounts = orders == 0 ? 0 : Math.max(1, (orders + ORDERS_PER_ACCOUNT - 1) / ORDERS_PER_ACCOUNT);
        String runTag = Long.toString(seed & Long.MAX_VALUE, 36);
        // A key of its own for each of the first four million certificates (the rest share them).
        byte[] points = SeedCertificates.points((int) Math.max(1, Math.min(certificates, 4_000_000)),
                new SplittableRandom(seed));

        try (Copy owners = new Copy(c, "owner (name, contact, updated_by)")) {
            for (int o = 0; o < OWNERS; o++) {
                owners.row(owner(runTag, o), "team" + o + "@bench.example", "bench");
            }
        }
        try (Copy acct = new Copy(c, "acme_account (id, thumbprint, jwk, contact, status, created_at)")) {
            for (long a = 0; a < accounts; a++) {
                acct.row(account(runTag, a), "bench-" + runTag + "-" + a, BENCH_JWK,
                        "[\"mailto:team" + (a % OWNERS) + "@bench.example\"]", "valid",
                        now.minus(Duration.ofDays(400)).toString());
            }
        }

        // The tls-server certificates that get a finished order: the newest ones, up to --orders.
        long[] ordered = new long[(int) Math.min(orders, certificates)];
        int orderedCount = 0;
        long revoked = 0;
        MessageDigest sha256 = SeedCertificates.sha256();
        try (Copy certs = new Copy(c, "certificate (ca_id, serial, profile, subject, sans, spki_sha256, not_before, "
                + "not_after, status, tbs, der, requester, created_at, issued_at, revoked_at, revocation_reason, shard)")) {
            for (long i = 0; i < certificates; i++) {
                CertRow r = certRow(seed, i, hosts, kinds, now, points);
                boolean withOrder = r.kind().profile().equals("tls-server") && orderedCount < ordered.length;
                if (withOrder) {
                    ordered[orderedCount++] = i;
                }
                if (r.revoked()) {
                    revoked++;
                }
                String name = r.name();
                certs.row(Long.toString(r.kind().ca().record().id()), r.serialNumber().toString(),
                        r.kind().profile(), "CN=" + name, "{dns:" + name + "}",
                        hexBytea(r.kind().template().spkiSha256(r.der(), sha256)), r.issued().toString(),
                        r.notAfter().toString(), r.revoked() ? "revoked" : "issued",
                        hexBytea(r.kind().template().tbs(r.der())), hexBytea(r.der()),
                        withOrder ? "acme:" + account(runTag, r.host() % accounts) : "bench", r.issued().toString(),
                        r.issued().toString(), r.revoked() ? r.revokedAt().toString() : null,
                        r.revoked() ? Integer.toString(r.reason()) : null,
                        Integer.toString(r.kind().crl() == null ? 0 : r.kind().crl().shardOf(r.serialNumber())));
            }
        }
        try (Copy certOwners = new Copy(c, "certificate_owner (ca_id, serial, owner, updated_by)")) {
            for (long i = 0; i < certificates; i++) {
                CertRow r = certRow(seed, i, hosts, kinds, now, points);
                certOwners.row(Long.toString(r.kind().ca().record().id()), r.serialNumber().toString(),
                        owner(runTag, (int) (r.host() % OWNERS)), "bench");
            }
        }

        // Four passes over the orders, one table each, every id from the order's own random.
        String failure = "{\"type\":\"urn:ietf:params:acme:error:unauthorized\",\"detail\":\"the http-01 "
                + "response did not match\",\"status\":403}";
        String[] tables = {
            "acme_order (id, account_id, status, identifiers, profile, expires, error, cert_serial, cert_chain, "
                    + "cert_not_after, created_at)",
            "acme_authorization (id, account_id, type, value, wildcard, status, expires, created_at)",
            "acme_order_authorization (order_id, authz_id)",
            "acme_challenge (id, authz_id, type, token, status, validated, error, started)"};
        for (int table = 0; table < tables.length; table++) {
            try (Copy copy = new Copy(c, tables[table])) {
                for (long o = 0; o < orders; o++) {
                    SplittableRandom random = new SplittableRandom(~seed + o * 0x9E3779B97F4A7C15L);
                    String orderId = id(random);
                    String authzId = id(random);
                    String challengeId = id(random);
                    boolean done = o < orderedCount;
                    CertRow cert = done ? certRow(seed, ordered[(int) o], hosts, kinds, now, points) : null;
                    long host = done ? cert.host() : random.nextLong(hosts);
                    String name = kinds.get(0).template().host(host);
                    Instant created = done ? cert.issued().minusSeconds(3)
                            : now.minusSeconds(1 + random.nextLong(Duration.ofDays(30).toSeconds()));
                    String account = account(runTag, host % accounts);
                    switch (table) {
                        case 0 -> copy.row(orderId, account, done ? "valid" : "invalid",
                                "[{\"type\":\"dns\",\"value\":\"" + name + "\"}]", "tls-server",
                                created.plus(Duration.ofDays(7)).toString(), done ? null : failure,
                                done ? cert.serialNumber().toString(16) : null,
                                done ? Pem.certificates(List.of(new X509CertificateHolder(cert.der()),
                                        cert.kind().ca().certificate())) : null,
                                done ? cert.notAfter().toString() : null, created.toString());
                        case 1 -> copy.row(authzId, account, "dns", name, "f", done ? "valid" : "invalid",
                                created.plus(Duration.ofDays(30)).toString(), created.toString());
                        case 2 -> copy.row(orderId, authzId);
                        default -> copy.row(challengeId, authzId, "http-01", token(random),
                                done ? "valid" : "invalid", created.plusSeconds(1).toString(), done ? null : failure,
                                created.toString());
                    }
                }
            }
        }
        return new Seeded(certificates, revoked, orders, orderedCount, accounts);
    }

    /** 70 % tls-server, 20 % the second kind, 10 % the third (tls-server where a kind is missing). */
    private static int kindOf(long host, int kinds) {
        int bucket = (int) (host % 10);
        int k = bucket < 7 ? 0 : bucket < 9 ? 1 : 2;
        return k < kinds ? k : 0;
    }

    private static String owner(String runTag, int o) {
        return "bench-" + runTag + "-team" + o;
    }

    private static String account(String runTag, long a) {
        return "bench-" + runTag + "-acct" + a;
    }

    private static String id(SplittableRandom random) {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String token(SplittableRandom random) {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** bytea in COPY's text format: \\x and hex digits (the backslash doubled for COPY). */
    private static String hexBytea(byte[] b) {
        return "\\\\x" + HexFormat.of().formatHex(b);
    }

    /** An account key for rows no client will use (a real P-256 point, never a signer). */
    private static final String BENCH_JWK = "{\"crv\":\"P-256\",\"kty\":\"EC\","
            + "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}";

    /**
     * One COPY ... FROM STDIN stream in text format, fed in blocks of about a megabyte. Values
     * other than the pre-escaped bytea are escaped here; null is \N.
     */
    private static final class Copy implements AutoCloseable {
        private final CopyIn in;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1 << 21);
        private final StringBuilder line = new StringBuilder(4096);

        Copy(Connection c, String tableAndColumns) throws SQLException {
            in = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + tableAndColumns + " FROM STDIN");
        }

        void row(String... values) throws SQLException {
            line.setLength(0);
            for (int i = 0; i < values.length; i++) {
                if (i > 0) {
                    line.append('\t');
                }
                String v = values[i];
                if (v == null) {
                    line.append("\\N");
                } else if (v.startsWith("\\\\x")) {
                    line.append(v);
                } else {
                    escape(v);
                }
            }
            line.append('\n');
            byte[] b = line.toString().getBytes(StandardCharsets.UTF_8);
            buffer.write(b, 0, b.length);
            if (buffer.size() >= 1 << 20) {
                flush();
            }
        }

        private void escape(String v) {
            for (int i = 0; i < v.length(); i++) {
                char ch = v.charAt(i);
                switch (ch) {
                    case '\\' -> line.append("\\\\");
                    case '\n' -> line.append("\\n");
                    case '\r' -> line.append("\\r");
                    case '\t' -> line.append("\\t");
                    default -> line.append(ch);
                }
            }
        }

        private void flush() throws SQLException {
            if (buffer.size() > 0) {
                in.writeToCopy(buffer.toByteArray(), 0, buffer.size());
                buffer.reset();
            }
        }

        @Override
        public void close() throws SQLException {
            try {
                flush();
                in.endCopy();
            } finally {
                if (in.isActive()) {
                    in.cancelCopy();
                }
            }
        }
    }
}
