/**
 * The ACME (RFC 8555) front end: directory, nonces, accounts, orders, challenges, finalize,
 * revocation. It sees the CA only through {@link org.medpki.acme.CertificateAuthority} and its own
 * state only through {@link org.medpki.acme.AcmeRepository}, whose PostgreSQL adapter lives in
 * inventory-pg: no SQL here.
 */
package org.medpki.acme;
