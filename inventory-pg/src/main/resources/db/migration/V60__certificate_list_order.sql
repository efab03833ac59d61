-- The admin API's certificate list (web console) sorts by the time a certificate was recorded or
-- by notAfter and pages by keyset (sort value, serial, CA): these indexes serve both directions.
CREATE INDEX IF NOT EXISTS certificate_created_order ON certificate (created_at, serial, ca_id);
CREATE INDEX IF NOT EXISTS certificate_not_after_order ON certificate (not_after, serial, ca_id);
-- The certificate detail tells whether the newest complete CRL of the certificate's CA lists it:
-- the admin role reads whole CRLs (public documents) instead of V59's few columns.
REVOKE SELECT (ca_id, kind, shard, this_update) ON crl FROM pki_admin;
GRANT SELECT ON crl TO pki_admin;
