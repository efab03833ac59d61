package org.medpki.device;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.List;
import org.medpki.core.policy.AssignedIdentity;
import org.medpki.core.issuance.IssuedCertificate;
import org.medpki.core.revocation.RevocationReason;

/**
 * The CA as the enrollment front ends reach it (over the CA API in a service process; in
 * process for tests and tools). Blocks.
 */
public interface DeviceCa {

    /** Issues under {@code profile} with the device's identity; {@code request} is PKCS#10 or CRMF. */
    IssuedCertificate issue(String profile, byte[] request, String requester, AssignedIdentity identity);

    void revoke(String issuer, BigInteger serial, RevocationReason reason, String actor);

    /** The issuing CA of device certificates first, the root last. */
    List<X509Certificate> caCertificates();
}
