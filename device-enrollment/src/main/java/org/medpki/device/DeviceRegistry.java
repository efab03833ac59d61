package org.medpki.device;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The device registry as the enrollment front ends use it (port; {@code PgDeviceRegistry} in
 * inventory-pg). Only devices that are not decommissioned are ever returned for enrollment.
 */
public interface DeviceRegistry {

    /**
     * What a device serial may be (the table's CHECK of V56): a letter or digit, then at most 63
     * of letters, digits and {@code . _ : / + -}. The command line and the admin API check it here.
     */
    java.util.regex.Pattern SERIAL = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/+-]{0,63}");

    /**
     * The details of a {@code device.registered} audit entry, the same from the command line and
     * the admin API: the device, what was given of manufacturer, URI and profile, and when its
     * code expires (never the code).
     */
    static java.util.Map<String, String> registeredDetails(String serial, String manufacturer, String uri,
                                                           String profile, Instant codeExpires) {
        java.util.Map<String, String> details = new java.util.LinkedHashMap<>();
        details.put("device", serial);
        if (manufacturer != null) {
            details.put("manufacturer", manufacturer);
        }
        if (uri != null) {
            details.put("uri", uri);
        }
        if (profile != null) {
            details.put("profile", profile);
        }
        details.put("codeExpires", codeExpires.toString());
        return details;
    }

    /**
     * A registered device; {@code id} names it in requesters ("device:ID"). {@code uri}, when not
     * null, is the URI its certificates carry as a SAN; {@code profile}, when not null, the
     * profile they are issued under (else the installation's devices.profile).
     */
    record Device(long id, String serial, String manufacturer, String state, String uri, String profile) {
        /** A device without names and with the installation's profile. */
        public Device(long id, String serial, String manufacturer, String state) {
            this(id, serial, manufacturer, state, null, null);
        }
    }

    /** A certificate of a device: the issuing CA's name and the serial. */
    record DeviceCertificate(long deviceId, String issuer, BigInteger serial) {
    }

    /**
     * The device whose enrollment code has this SHA-256, while the code is unused and unexpired
     * at {@code now} and the device is not decommissioned; with {@code serial} not null, only if
     * the device has that serial.
     */
    Optional<Device> byLiveCode(byte[] codeSha256, String serial, Instant now);

    /**
     * The sealed code of the device with this serial whose code is unused and unexpired (CMP MAC);
     * empty when there is none, or more than one such device (the same serial from two makers).
     */
    Optional<SealedCode> sealedLiveCode(String serial, Instant now);

    /** A device's code as sealed by {@link EnrollmentCodes#seal}. */
    record SealedCode(long deviceId, byte[] sealed) {
    }

    /** Devices with this serial that are not decommissioned (an IDevID's serialNumber). */
    List<Device> bySerial(String serial);

    /** A device with one of its certificates. */
    record Holder(Device device, DeviceCertificate certificate) {
    }

    /**
     * The device holding the certificate with this DER, when a front end recorded it for the
     * device, the inventory has it issued (not revoked) and valid at {@code now}, and the device
     * is not decommissioned. The DER must be the inventory's own: a certificate the CA did not
     * issue is never found.
     */
    Optional<Holder> currentHolder(byte[] certificateDer, Instant now);

    /**
     * The DER of the active certificates issued for this device that no front end recorded (a
     * crash between the CA's signature and the record), newest first.
     */
    List<Unrecorded> unrecordedCertificates(long deviceId);

    /** An issued certificate of a device with its DER. */
    record Unrecorded(DeviceCertificate certificate, byte[] der) {
    }

    /**
     * Records, in one transaction, the certificate issued to the device: spends the code with
     * {@code spentCodeSha256} when not null (CONFLICT when it was spent or expired meanwhile:
     * nothing is recorded), marks the device enrolled, and sets {@code supersedeAfter} on the
     * device's other certificates that are still current.
     */
    void recordEnrollment(long deviceId, DeviceCertificate certificate, String protocol, byte[] spentCodeSha256,
                          Instant supersedeAfter, Instant now);

    /** Records a certificate the device never received (a lost answer, a key not used again) as superseded now. */
    void recordSuperseded(DeviceCertificate certificate, String protocol, Instant now);

    /**
     * Certificates whose supersede time has passed and that are still active, issued through the
     * caller ({@code requesterPrefix}: "est:", "cmp:", "scep:"), at most {@code limit}.
     */
    List<DeviceCertificate> dueForSupersession(String requesterPrefix, Instant now, int limit);
}
