-- The admin service's KPIs and expiry timeline (PgKpis): indexes that keep each statement a range
-- scan (or one probe per row in the range) with a million certificates, and the admin role's
-- reads of what they need. Re-runnable (IF NOT EXISTS), like every migration after the logins.

-- Replacements issued in a period, and each one's predecessor: the newest earlier certificate of
-- the same profile and subject (the SAN set is compared on the few rows this finds).
CREATE INDEX IF NOT EXISTS certificate_issued_at ON certificate (issued_at) WHERE status <> 'pending';
CREATE INDEX IF NOT EXISTS certificate_lineage ON certificate (profile, subject, issued_at) WHERE status <> 'pending';
-- Certificates revoked in a period, under any CA (certificate_revoked_at leads with the CA).
CREATE INDEX IF NOT EXISTS certificate_revoked_when ON certificate (revoked_at) WHERE status = 'revoked';
-- The first complete CRL of a CA made after a revocation.
CREATE INDEX IF NOT EXISTS crl_complete_this_update ON crl (ca_id, this_update) WHERE shard = 0 AND kind = 'full';
-- Refusals and failed authentications of a period, by event type.
CREATE INDEX IF NOT EXISTS audit_event_type_at ON audit_event (type, at);
-- ACME challenges that failed in a period.
CREATE INDEX IF NOT EXISTS acme_challenge_invalid_started ON acme_challenge (started) WHERE status = 'invalid';

-- Only the columns the KPIs read: no CRL or OCSP bytes, no challenge token.
GRANT SELECT (ca_id, serial, status, this_update) ON ocsp_response TO pki_admin;
GRANT SELECT (ca_id, shard, kind, this_update) ON crl TO pki_admin;
GRANT SELECT (status, started) ON acme_challenge TO pki_admin;
-- A replacement's ACME order names what it replaces (acme_order_serial finds the order by serial).
GRANT SELECT (replaces) ON acme_order TO pki_admin;
