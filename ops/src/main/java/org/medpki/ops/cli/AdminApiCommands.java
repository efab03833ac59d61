package org.medpki.ops.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.ops.adminclient.ApiCall;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The admin API's calls as 'pki admin' commands, for administrators on their own hosts (see the
 * README, "The admin API"). Each is one class naming its call; the connection, the identity, the
 * output and the exit statuses are {@link AdminApiCommand}'s.
 */
final class AdminApiCommands {
    private AdminApiCommands() {
    }

    @Command(name = "me", description = "Who the admin API takes you for: your name and roles.")
    static final class Me extends AdminApiCommand {
        @Override
        ApiCall request() {
            return ApiCall.get("me", Map.of());
        }
    }

    @Command(name = "certificates", description = "Certificates in the inventory (newest first).")
    static final class Certificates extends AdminApiCommand {
        @Option(names = "--profile", description = "Only this profile.")
        String profile;

        @Option(names = "--status", description = "Only this status: issued, revoked, pending.")
        String status;

        @Option(names = "--san", description = "Only certificates with this exact name (DNS name, IP, e-mail).")
        String san;

        @Option(names = "--owner", description = "Only this owner.")
        String owner;

        @Option(names = "--expiring-within-days", paramLabel = "DAYS", description = "Only issued certificates that "
                + "expire within DAYS days (soonest first).")
        Integer expiringWithinDays;

        @Option(names = "--limit", description = "At most this many (1-1000; the API's default is 100).")
        Integer limit;

        @Override
        ApiCall request() {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("profile", profile);
            q.put("status", status);
            q.put("san", san);
            q.put("owner", owner);
            q.put("expiringWithinDays", text(expiringWithinDays));
            q.put("limit", text(limit));
            return ApiCall.get("certificates", q);
        }
    }

    @Command(name = "audit", description = "The audit log, oldest first (role auditor); 'next' in the answer is the "
            + "--since of the following page.")
    static final class Audit extends AdminApiCommand {
        @Option(names = "--since", paramLabel = "SEQ|TIME", description = "After this entry number, or from this "
                + "RFC 3339 time.")
        String since;

        @Option(names = "--limit", description = "At most this many entries.")
        Integer limit;

        @Override
        ApiCall request() {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("since", since);
            q.put("limit", text(limit));
            return ApiCall.get("audit", q);
        }
    }

    @Command(name = "requests", description = "Revocation requests.")
    static final class Requests extends AdminApiCommand {
        @Option(names = "--state", description = "Only this state: pending-approval, running, done, rejected, expired.")
        String state;

        @Override
        ApiCall request() {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("state", state);
            return ApiCall.get("requests", q);
        }
    }

    @Command(name = "request", description = "One revocation request.")
    static final class Request extends AdminApiCommand {
        @Parameters(paramLabel = "ID", description = "The request's id.")
        String id;

        @Override
        ApiCall request() {
            return ApiCall.get("requests/" + ApiCall.segment(id), Map.of());
        }
    }

    @Command(name = "approve", description = "Approve a revocation request of another administrator (role approver).")
    static final class Approve extends AdminApiCommand {
        @Parameters(paramLabel = "ID", description = "The request's id.")
        String id;

        @Override
        ApiCall request() {
            return ApiCall.post("requests/" + ApiCall.segment(id) + "/approve", null);
        }
    }

    @Command(name = "reject", description = "Reject a revocation request (role approver); it revokes nothing.")
    static final class Reject extends AdminApiCommand {
        @Parameters(paramLabel = "ID", description = "The request's id.")
        String id;

        @Override
        ApiCall request() {
            return ApiCall.post("requests/" + ApiCall.segment(id) + "/reject", null);
        }
    }

    @Command(name = "revoke", description = "Ask for certificates to be revoked (roles requester, operator): by serial "
            + "or by a query over the inventory. Revocation is under dual control: the request waits for approvers "
            + "(one for up to 10 certificates, two for more), except an operator's revocation of one certificate.")
    static final class Revoke extends AdminApiCommand {
        @Parameters(arity = "0..*", paramLabel = "SERIAL", description = "Serial numbers in hex.")
        List<String> serials = new ArrayList<>();

        @Option(names = "--serials-file", paramLabel = "FILE", description = "Serials in hex, one per line ('-' for "
                + "standard input); blank lines and # comments are skipped.")
        Path serialsFile;

        @Option(names = "--query-profile", paramLabel = "PROFILE", description = "Every issued certificate of PROFILE.")
        String queryProfile;

        @Option(names = "--query-san", paramLabel = "NAME", description = "Every issued certificate with this name.")
        String querySan;

        @Option(names = "--query-expiring-within-days", paramLabel = "DAYS",
                description = "Every issued certificate that expires within DAYS days.")
        Integer queryExpiringWithinDays;

        @Option(names = "--query-issuer", paramLabel = "CA", description = "Every issued certificate of this issuing CA.")
        String queryIssuer;

        @Option(names = "--reason", required = true, description = "RFC 5280 reason: unspecified, keyCompromise, "
                + "affiliationChanged, superseded, cessationOfOperation, privilegeWithdrawn.")
        String reason;

        @Option(names = "--dry-run", description = "Answer the exact list that would be revoked; store nothing.")
        boolean dryRun;

        @Override
        ApiCall request() {
            RevocationReason why;
            try {
                why = RevocationReason.parse(reason);
            } catch (IllegalArgumentException e) {
                throw new PkiException(ErrorKind.BAD_REVOCATION_REASON, "--reason: " + e.getMessage());
            }
            boolean query = queryProfile != null || querySan != null || queryExpiringWithinDays != null
                    || queryIssuer != null;
            int sources = (serials.isEmpty() ? 0 : 1) + (serialsFile == null ? 0 : 1) + (query ? 1 : 0);
            if (sources != 1) {
                throw new IllegalArgumentException("name the certificates one way: SERIAL..., --serials-file FILE, or "
                        + "--query-* options");
            }
            ObjectNode body = Json.mapper().createObjectNode();
            if (query) {
                ObjectNode q = body.putObject("query");
                putIfSet(q, "profile", queryProfile);
                putIfSet(q, "san", querySan);
                if (queryExpiringWithinDays != null) {
                    q.put("expiringWithinDays", queryExpiringWithinDays);
                }
                putIfSet(q, "issuer", queryIssuer);
            } else {
                ArrayNode list = body.putArray("serials");
                List<Given> given = serialsFile == null ? arguments(serials) : fromFile(serialsFile);
                for (Given g : given) {
                    try {
                        list.add(Serials.parse(g.text()).toString(16));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(g.where() + ": " + e.getMessage());
                    }
                }
            }
            body.put("reason", why.rfcName());
            body.put("dryRun", dryRun);
            return ApiCall.post("revocations", Json.write(body));
        }

        /** A serial as typed, and where (argument or line of the file), so that an error can point at it. */
        private record Given(String where, String text) {
        }

        private static List<Given> arguments(List<String> values) {
            List<Given> out = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) {
                out.add(new Given("SERIAL " + (i + 1), values.get(i)));
            }
            return out;
        }

        private static List<Given> fromFile(Path file) {
            List<String> lines;
            try {
                lines = file.toString().equals("-")
                        ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).lines().toList()
                        : Files.readAllLines(file);
            } catch (IOException | UncheckedIOException e) {
                throw new IllegalArgumentException("--serials-file " + file + " cannot be read ("
                        + e.getClass().getSimpleName() + ")");
            }
            List<Given> out = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    out.add(new Given("--serials-file " + file + " line " + (i + 1), line));
                }
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException("--serials-file " + file + " names no serial");
            }
            return out;
        }

        private static void putIfSet(ObjectNode node, String name, String value) {
            if (value != null) {
                node.put(name, value);
            }
        }
    }

    private static String text(Integer value) {
        return value == null ? null : value.toString();
    }
}
