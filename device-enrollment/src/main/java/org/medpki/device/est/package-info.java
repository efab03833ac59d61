/**
 * The EST front end (RFC 7030, with the clarifications of RFC 8951) of device enrollment: HTTPS
 * resources under {@code /.well-known/est/} that authenticate a device (HTTP Basic with its
 * enrollment code, its manufacturer IDevID or its current certificate as TLS client certificate)
 * and hand the request to {@link org.medpki.device.DeviceEnrollment}.
 */
package org.medpki.device.est;
