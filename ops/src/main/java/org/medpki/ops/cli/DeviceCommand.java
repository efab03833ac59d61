package org.medpki.ops.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.revocation.RevocationReason;
import org.medpki.core.profile.CertificateProfile;
import org.medpki.device.DeviceNames;
import org.medpki.device.DeviceRegistry;
import org.medpki.device.EnrollmentCodes;
import org.medpki.inventory.pg.PgDeviceRegistry;
import org.medpki.ops.install.DatabaseRole;
import org.medpki.ops.install.DeviceSettings;
import org.medpki.ops.install.PkiContext;
import org.medpki.ops.install.PkiHome;
import org.medpki.ops.install.SecretFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** 'pki device register|list|decommission': the device registry of IoMT onboarding, on the CA host. */
@Command(name = "device", description = "The device registry: register devices (one-time enrollment codes), list "
        + "them, decommission them.",
        subcommands = {DeviceCommand.Register.class, DeviceCommand.ListDevices.class, DeviceCommand.Decommission.class})
public final class DeviceCommand implements Runnable {
    /** The code key's file under PKI_HOME/secrets. */
    public static final String CODE_KEY_FILE = "device-code.key";

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "name a subcommand: register, list or decommission");
    }

    /**
     * The enrollment services' code key (PKI_HOME/secrets/device-code.key, mode 600): seals the
     * codes CMP needs in clear. Made at the first registration; travels with the CMP service.
     */
    public static EnrollmentCodes codes(PkiHome home, boolean create) {
        Path file = home.secrets().resolve(CODE_KEY_FILE);
        if (!Files.exists(file)) {
            if (!create) {
                throw new PkiException(ErrorKind.CONFIGURATION, "no device code key in " + file
                        + ": register a device on the CA host first ('pki device register'), then copy it here");
            }
            SecretFiles.write(file, Base64.getEncoder().encodeToString(EnrollmentCodes.newKey()));
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(SecretFiles.read(file).strip());
        } catch (IllegalArgumentException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, file + " does not hold a base64 device code key");
        }
        return new EnrollmentCodes(key);
    }

    /** A registration's outcome: the device and its one-time code, shown once. */
    record Issued(PgDeviceRegistry.Registered device, String code, Instant expires) {
    }

    /**
     * Registers a device (or gives a registered one a new code) and audits it: what 'pki device
     * register' does once the arguments are checked, shared with 'pki bench register-devices'.
     */
    static Issued register(PkiContext context, EnrollmentCodes codes, String serial, String manufacturer, String model,
                           String location, String owner) {
        return register(context, codes, serial, manufacturer, model, location, owner, null, null);
    }

    /** {@code uri}, {@code profile}: null keeps what a registered device has (none for a new one). */
    static Issued register(PkiContext context, EnrollmentCodes codes, String serial, String manufacturer, String model,
                           String location, String owner, String uri, String profile) {
        String code = EnrollmentCodes.newCode();
        Instant now = context.clock().instant();
        Instant expires = now.plus(DeviceSettings.codeLifetime(context.settings()));
        PgDeviceRegistry.Registered device = PgDeviceRegistry.over(context.database()).register(
                new PgDeviceRegistry.Registration(serial, manufacturer, model, location, owner, Actors.cli(), uri,
                        profile), EnrollmentCodes.hash(code), id -> codes.seal(code, id), expires, now);
        context.audit().record(AuditEvent.success(now, "device.registered", Actors.cli(),
                DeviceRegistry.registeredDetails(serial, manufacturer, uri, profile, expires)));
        return new Issued(device, code, expires);
    }

    /**
     * The profiles a device may be registered under (devices.profiles), from the installation's
     * profile files. A default one without a file (an installation older than it) is left out;
     * one the settings name must have its file.
     */
    public static Map<String, CertificateProfile> profiles(PkiContext context) {
        boolean written = context.settings().devices().profiles() != null;
        String standard = DeviceSettings.profile(context.settings());
        Map<String, CertificateProfile> out = new LinkedHashMap<>();
        for (String name : DeviceSettings.profiles(context.settings())) {
            if (context.profiles().names().contains(name)) {
                out.put(name, context.profiles().get(name));
            } else if (written || name.equals(standard)) {
                throw new PkiException(ErrorKind.CONFIGURATION, (written ? "devices.profiles" : "devices.profile")
                        + " names " + name + ", which has no profile file in " + context.profilesDirectory());
            }
        }
        return out;
    }

    /**
     * Refuses a registration the CA would refuse at enrollment: the device's profile (the one
     * given, else the one it has, else devices.profile) must take its URI (the one given, else the
     * one it has), and one that needs a subjectAltName needs a URI. The CA checks again at issuance.
     */
    static void checkNames(PkiContext context, String serial, String manufacturer, String uri, String profile) {
        Map<String, CertificateProfile> profiles = profiles(context);
        if (profile != null && !profiles.containsKey(profile)) {
            throw new PkiException(ErrorKind.MALFORMED, "--profile must be one of devices.profiles ("
                    + String.join(", ", profiles.keySet()) + "), not " + profile);
        }
        PgDeviceRegistry.Registered existing = PgDeviceRegistry.over(context.database())
                .withSerial(serial, context.clock().instant()).stream()
                .filter(d -> d.manufacturer().equals(manufacturer == null ? "" : manufacturer)).findFirst().orElse(null);
        String effectiveUri = uri != null ? uri : existing == null ? null : existing.uri();
        String effectiveProfile = profile != null ? profile : existing != null && existing.profile() != null
                ? existing.profile() : DeviceSettings.profile(context.settings());
        CertificateProfile p = profiles.get(effectiveProfile);
        if (p == null) {
            throw new PkiException(ErrorKind.MALFORMED, "device " + serial + " has profile " + effectiveProfile
                    + ", which is not in devices.profiles: give --profile, one of " + String.join(", ", profiles.keySet()));
        }
        String problem = DeviceNames.profileProblem(p, effectiveUri);
        if (problem != null) {
            throw new PkiException(ErrorKind.MALFORMED, (uri != null || effectiveUri == null ? "--uri" : "--profile")
                    + ": " + problem);
        }
    }

    @Command(name = "register", description = "Register a device (or give a registered one a new code) and print its "
            + "one-time enrollment code, shown once: EST Basic password, CMP MAC secret, SCEP challenge password.")
    static final class Register implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SERIAL", description = "The device's serial number (unique per manufacturer).")
        String serial;

        @Option(names = "--manufacturer", description = "The manufacturer.")
        String manufacturer;

        @Option(names = "--model", description = "The model.")
        String model;

        @Option(names = "--location", description = "Where the device is (site, department, ward).")
        String location;

        @Option(names = "--owner", description = "Who is responsible for the device.")
        String owner;

        @Option(names = "--uri", paramLabel = "URI", description = "The URI the device's certificates carry as a "
                + "subjectAltName: urn:uuid:... (an SDC participant's endpoint reference), urn:dev:... (RFC 9039) or "
                + "https://...; unique among devices not decommissioned. Kept when not given again.")
        String uri;

        @Option(names = "--profile", paramLabel = "PROFILE", description = "The certificate profile the device enrolls "
                + "under, one of devices.profiles (default devices.profile; sdc-participant for IEEE 11073 SDC "
                + "devices, which needs --uri). Kept when not given again.")
        String profile;

        @Option(names = "--json", description = "Print one JSON object: serial, enrollmentCode, expires (and uri, "
                + "profile when the device has them).")
        boolean json;

        @Override
        public Integer call() {
            checkText("SERIAL", serial, 64);
            if (uri != null && DeviceNames.uriProblem(uri) != null) {
                throw new PkiException(ErrorKind.MALFORMED, "--uri " + DeviceNames.uriProblem(uri));
            }
            if (profile != null && !DeviceNames.PROFILE.matcher(profile).matches()) {
                throw new PkiException(ErrorKind.MALFORMED, "--profile must be a profile name (lower-case letters, "
                        + "digits and -)");
            }
            checkText("--manufacturer", manufacturer, 128);
            checkText("--model", model, 128);
            checkText("--location", location, 128);
            checkText("--owner", owner, 128);
            if (!DeviceRegistry.SERIAL.matcher(serial).matches()) {
                throw new PkiException(ErrorKind.MALFORMED, "SERIAL must start with a letter or digit and hold at most 64"
                        + " of letters, digits and . _ : / + -");
            }
            PkiHome home = PkiHome.fromEnvironment();
            try (PkiContext context = PkiContext.open(home, DatabaseRole.CA)) {
                checkNames(context, serial, manufacturer, uri, profile);
                Issued issued = register(context, codes(home, true), serial, manufacturer, model, location, owner, uri,
                        profile);
                String code = issued.code();
                Instant expires = issued.expires();
                PgDeviceRegistry.Registered device = issued.device();
                if (json) {
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("serial", device.serial());
                    out.put("enrollmentCode", code);
                    out.put("expires", expires.toString());
                    if (device.uri() != null) {
                        out.put("uri", device.uri());
                    }
                    if (device.profile() != null) {
                        out.put("profile", device.profile());
                    }
                    System.out.println(Json.write(out));
                } else {
                    System.out.println("device:          " + device.serial()
                            + (device.manufacturer().isEmpty() ? "" : " (" + device.manufacturer() + ")"));
                    if (device.uri() != null) {
                        System.out.println("uri:             " + device.uri());
                    }
                    if (device.profile() != null) {
                        System.out.println("profile:         " + device.profile());
                    }
                    System.out.println("enrollment code: " + code);
                    System.out.println("expires:         " + expires);
                }
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List registered devices: state, code expiry, active certificates.")
    static final class ListDevices implements Callable<Integer> {
        @Option(names = "--state", description = "Only devices in this state: registered, enrolled or decommissioned.")
        String state;

        @Option(names = "--limit", description = "At most this many (default 1000).")
        int limit = 1000;

        @Option(names = "--json", description = "Print a JSON array.")
        boolean json;

        @Override
        public Integer call() {
            if (state != null && !List.of("registered", "enrolled", "decommissioned").contains(state)) {
                throw new PkiException(ErrorKind.MALFORMED, "--state must be registered, enrolled or decommissioned");
            }
            if (limit < 1 || limit > 100_000) {
                throw new PkiException(ErrorKind.MALFORMED, "--limit must be between 1 and 100000");
            }
            try (PkiContext context = PkiContext.open(PkiHome.fromEnvironment(), DatabaseRole.AUDITOR)) {
                List<PgDeviceRegistry.Registered> devices = PgDeviceRegistry.over(context.database())
                        .list(state, limit, context.clock().instant());
                if (json) {
                    List<Map<String, Object>> out = new ArrayList<>();
                    for (PgDeviceRegistry.Registered d : devices) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("serial", d.serial());
                        m.put("manufacturer", d.manufacturer());
                        m.put("model", d.model());
                        m.put("location", d.location());
                        m.put("owner", d.owner());
                        m.put("state", d.state());
                        m.put("registeredAt", d.registeredAt().toString());
                        m.put("codeExpires", d.codeExpires() == null ? null : d.codeExpires().toString());
                        m.put("codeUsed", d.codeUsed());
                        m.put("activeCertificates", d.activeCertificates());
                        m.put("uri", d.uri());
                        m.put("profile", d.profile());
                        out.add(m);
                    }
                    System.out.println(Json.write(out));
                } else {
                    for (PgDeviceRegistry.Registered d : devices) {
                        System.out.printf("%-24s %-16s %-14s %d active  %-16s %s  %s%n", d.serial(),
                                d.manufacturer().isEmpty() ? "-" : d.manufacturer(), d.state(), d.activeCertificates(),
                                d.profile() == null ? "-" : d.profile(), d.uri() == null ? "-" : d.uri(),
                                d.location() == null ? "" : d.location());
                    }
                }
            }
            return 0;
        }
    }

    @Command(name = "decommission", description = "Decommission a device: its code is spent and its certificates are "
            + "revoked (cessationOfOperation); it cannot enroll again.")
    static final class Decommission implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SERIAL", description = "The device's serial number.")
        String serial;

        @Option(names = "--manufacturer", description = "The manufacturer, when several makers' devices share the serial.")
        String manufacturer;

        @Option(names = "--json", description = "Print one JSON object: serial, state, revoked (certificate serials).")
        boolean json;

        @Override
        public Integer call() {
            PkiHome home = PkiHome.fromEnvironment();
            try (PkiContext context = PkiContext.open(home, DatabaseRole.CA)) {
                PgDeviceRegistry registry = PgDeviceRegistry.over(context.database());
                Instant now = context.clock().instant();
                List<PgDeviceRegistry.Registered> found = registry.withSerial(serial, now).stream()
                        .filter(d -> manufacturer == null || d.manufacturer().equals(manufacturer)).toList();
                if (found.isEmpty()) {
                    throw new PkiException(ErrorKind.NOT_FOUND, "no registered device " + serial
                            + (manufacturer == null ? "" : " of " + manufacturer));
                }
                if (found.size() > 1) {
                    throw new PkiException(ErrorKind.MALFORMED, "devices of several manufacturers have serial " + serial
                            + ": name one with --manufacturer");
                }
                PgDeviceRegistry.Registered device = found.get(0);
                List<DeviceRegistry.DeviceCertificate> active = registry.decommission(device.id(), Actors.cli(), now);
                List<String> revoked = new ArrayList<>();
                for (DeviceRegistry.DeviceCertificate c : active) {
                    try {
                        context.revocation().revoke(c.issuer(), c.serial(), RevocationReason.CESSATION_OF_OPERATION,
                                Actors.cli(), null);
                        revoked.add(c.serial().toString(16));
                    } catch (PkiException e) {
                        if (e.kind() != ErrorKind.ALREADY_REVOKED) {
                            throw e;
                        }
                    }
                }
                context.audit().record(AuditEvent.success(now, "device.decommissioned", Actors.cli(),
                        Map.of("device", serial, "revoked", String.join(" ", revoked))));
                if (json) {
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("serial", serial);
                    out.put("state", "decommissioned");
                    out.put("revoked", revoked);
                    System.out.println(Json.write(out));
                } else {
                    System.out.println("decommissioned " + serial + "; revoked " + revoked.size() + " certificate(s)"
                            + (revoked.isEmpty() ? "" : ": " + String.join(", ", revoked)));
                }
            }
            return 0;
        }
    }

    private static void checkText(String what, String value, int max) {
        if (value != null && (value.isBlank() || value.length() > max || value.chars().anyMatch(Character::isISOControl))) {
            throw new PkiException(ErrorKind.MALFORMED, what + " must be 1 to " + max + " printable characters");
        }
    }
}
