/**
 * The OCSP (RFC 6960 / RFC 5019) responder: pre-signed responses from the inventory, signed by
 * each issuing CA's delegated OCSP signer, refreshed on revocation through LISTEN/NOTIFY.
 */
package org.medpki.ocsp;
