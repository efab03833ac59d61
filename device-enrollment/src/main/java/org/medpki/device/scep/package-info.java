/**
 * The SCEP (RFC 8894) front end for devices: {@link org.medpki.device.scep.ScepServer} parses
 * and answers the CMS messages, checks their signatures and opens their envelopes with the RA key
 * ({@link org.medpki.device.scep.ScepConfig}), and asks {@link org.medpki.device.DeviceEnrollment}
 * for the certificate: a PKCSReq with the device's enrollment code as challenge password, a
 * RenewalReq signed with the device's current certificate.
 */
package org.medpki.device.scep;
