-- Pre-signed OCSP responses (RFC 6960 / RFC 5019), one per certificate: the responder signs one
-- when a certificate is issued or revoked and again before half its validity has passed, and
-- serves it from memory; this table lets a restarted or second responder start warm and lets
-- 'pki ocsp export' write stapling files. Only SHA-1 CertID responses (what RFC 5019 clients,
-- nginx and openssl ask for) are stored; others are signed on demand and kept in memory.
CREATE TABLE ocsp_response (
    ca_id       bigint NOT NULL REFERENCES ca (id),
    serial      numeric(49, 0) NOT NULL,
    status      text NOT NULL CHECK (status IN ('good', 'revoked', 'unknown')),
    -- The OCSP signer (a row of ca with role ocsp-signer) whose key signed it: a rotation re-signs.
    signer_id   bigint NOT NULL REFERENCES ca (id),
    this_update timestamptz NOT NULL,
    next_update timestamptz NOT NULL,
    der         bytea NOT NULL CHECK (octet_length(der) > 0),
    PRIMARY KEY (ca_id, serial),
    CONSTRAINT ocsp_response_validity_ordered CHECK (next_update > this_update)
);

-- What the refresher looks for: the oldest responses first.
CREATE INDEX ocsp_response_this_update ON ocsp_response (this_update);

-- The responder keeps its own responses; it still only reads certificates and CAs (V3).
GRANT SELECT, INSERT, UPDATE ON ocsp_response TO pki_ocsp;
GRANT SELECT ON ocsp_response TO pki_auditor;
