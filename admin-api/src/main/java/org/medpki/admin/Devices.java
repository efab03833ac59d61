package org.medpki.admin;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.function.LongFunction;

/**
 * The device registry as the admin API sees it: devices registered for enrollment (EST, CMP,
 * SCEP) with a one-time code, the certificates they hold, and their decommissioning. The codes
 * themselves are made and sealed by the caller; the registry keeps only their hash and sealed copy.
 */
public interface Devices {
    /**
     * A registered device; {@code manufacturer} is empty when none was given; {@code uri} (the URI
     * SAN of its certificates) and {@code profile} (null: the installation's devices.profile) are
     * null when none was given.
     */
    record Entry(long id, String serial, String manufacturer, String model, String location, String owner,
                 String state, Instant registeredAt, Instant codeExpires, boolean codeUsed, long activeCertificates,
                 String uri, String profile) {
    }

    /**
     * A device to register (or, registered and not decommissioned, to give a new code); a null
     * {@code uri} or {@code profile} keeps what a registered device has.
     */
    record NewDevice(String serial, String manufacturer, String model, String location, String owner, String uri,
                     String profile) {
    }

    /** A certificate a device holds or held: issuer CA, serial, pending/issued/revoked, end of validity. */
    record Held(String issuer, BigInteger serial, String status, Instant notAfter) {
    }

    /** A certificate still in force of a decommissioned device, for the caller to have revoked. */
    record InForce(String issuer, BigInteger serial) {
    }

    /** Devices ordered by serial, optionally filtered (null: any), at most {@code limit}. */
    List<Entry> devices(String state, String serial, String manufacturer, int limit, Instant now);

    /**
     * Registers the device and stores its code ({@code seal} seals it for the device's id), in one
     * transaction. CONFLICT when the device is decommissioned, or another live device has the URI.
     */
    Entry registerDevice(NewDevice device, String by, byte[] codeSha256, LongFunction<byte[]> seal, Instant expires,
                         Instant now);

    /** The device's certificates, newest first, at most {@code limit}. */
    List<Held> deviceCertificates(long deviceId, int limit);

    /**
     * Marks the device decommissioned (its code spent) and answers its certificates still in force.
     * Again for a decommissioned device: a run that stopped half-way is finished by repeating it.
     */
    List<InForce> decommissionDevice(long deviceId, String by, Instant now);
}
