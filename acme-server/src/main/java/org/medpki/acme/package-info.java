/**
 * The ACME (RFC 8555) front end: directory, nonces, accounts, orders, challenges, finalize,
 * revocation. It sees the CA only through ca-core's issuance and revocation services.
 */
package org.medpki.acme;
