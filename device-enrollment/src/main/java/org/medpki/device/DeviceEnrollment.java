package org.medpki.device;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import org.medpki.core.revocation.RevocationReason;

/**
 * What the enrollment front ends (EST, CMP, SCEP) may ask on behalf of a device. Each protocol
 * parses its own messages, checks its own protection (a MAC, a signature, TLS) and then calls
 * one of these; the device's identity (subject serialNumber, names) always comes from the
 * registry, never from the request alone. Every method blocks (database, CA API).
 *
 * <p>Refusals are {@link org.medpki.core.error.PkiException}s: {@code UNAUTHORIZED} for a code
 * that is wrong, used, expired or another device's, an unknown or decommissioned device, an
 * untrusted manufacturer certificate; {@code BAD_CSR}, {@code BAD_PUBLIC_KEY},
 * {@code REJECTED_IDENTIFIER} for a request the device profile does not allow;
 * {@code CA_UNAVAILABLE} / {@code DATABASE_UNAVAILABLE} worth a retry. Each refusal is already
 * audited and counted (failed validations) when it is thrown.
 */
public interface DeviceEnrollment {

    /**
     * First enrollment with the device's one-time enrollment code. {@code serial} names the
     * device (EST Basic user, CMP sender KID); null when the code alone identifies it (SCEP
     * challenge password). A retry after a lost answer with the same key gets the same
     * certificate; the code is spent once the certificate is recorded.
     */
    Enrolled enrollWithCode(Protocol protocol, String serial, String code, byte[] csr);

    /**
     * First enrollment of a device that proved possession of its manufacturer certificate's key
     * (IEEE 802.1AR IDevID; the protocol checked the proof: TLS client authentication, a CMP
     * signature, a SCEP signer). The chain (device certificate first) must lead to a manufacturer
     * CA the settings trust, and its serialNumber attribute must name a registered device.
     */
    Enrolled enrollWithManufacturerCertificate(Protocol protocol, List<X509Certificate> chain, byte[] csr);

    /**
     * Re-enrollment authenticated by the device's current operational certificate (the protocol
     * checked possession of its key). The identity is kept; the old certificate is superseded
     * after the grace period of the settings.
     */
    Enrolled reenroll(Protocol protocol, X509Certificate current, byte[] csr);

    /**
     * The enrollment code of a registered device whose code is still usable, as the shared
     * secret of a CMP MAC (PBMAC1 / PasswordBasedMac need the secret itself to check a MAC);
     * empty for an unknown device or a code that is spent or expired. Never logged.
     */
    Optional<byte[]> macSecret(String serial);

    /**
     * A device revoking its own certificate (CMP rr), authenticated by that certificate
     * ({@code current}) or, for {@code keyCompromise}, by the same device's other current one.
     */
    void revoke(Protocol protocol, X509Certificate current, BigInteger serial, RevocationReason reason);

    /** The certificates a device should hold: the issuing CA for devices first, the root last. */
    List<X509Certificate> caCertificates();

    /**
     * Records a device authentication that failed in the protocol layer (a MAC or signature that
     * did not verify, Basic credentials that are malformed) in the audit log and the failed
     * validations count. {@code claimed} is who the request said it was (may be null); {@code
     * reason} names what was wrong and never holds a secret.
     */
    void authenticationFailed(Protocol protocol, String claimed, String reason);

    /** The enrollment protocols, as they appear in audit entries, requesters and metrics. */
    enum Protocol {
        EST("est"), CMP("cmp"), SCEP("scep");

        private final String wireName;

        Protocol(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    /**
     * An issued device certificate and the chain to send with it (issuing CA first, root
     * last); {@code deviceSerial} is the registry's serial of the device.
     */
    record Enrolled(X509Certificate certificate, List<X509Certificate> chain, String deviceSerial) {
        public Enrolled {
            chain = List.copyOf(chain);
        }
    }
}
