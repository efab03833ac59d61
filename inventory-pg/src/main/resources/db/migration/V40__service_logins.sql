-- Each service now logs in as a role of its own, a member of its group role (pki_ca, pki_ocsp,
-- pki_crl, pki_acme, pki_auditor); 'pki init' creates the login roles, not the migrations, which
-- run as the owner of these tables. Grants audited against what each service's code does:
--   pki_ca      PgInventory, PgAuditStore, PgCrlStore (V3, V20) and the CA host's command line:
--   pki_ocsp    OcspStore (certificate, ca, ocsp_response) and audit appends (V3, V10); LISTEN needs no grant
--   pki_crl     PgCrlStore: reads certificates and CAs, stores CRLs and moves the counters (V3, V20)
--   pki_acme    AcmeStore (V30) and audit appends (V3)
--   pki_auditor reads everything but the ACME secrets (nonces, EAB HMAC keys) (V3, V10, V20, V30)
-- Nobody but the owner deletes certificates, CAs, CRLs or audit entries.

-- 'pki eab new' runs on the CA host as the CA's login: it makes EAB keys (only INSERT: it neither
-- reads nor binds them; the ACME front end reads and binds them, V30).
GRANT INSERT ON eab_key TO pki_ca;

-- 'pki ocsp export' runs on the CA host as the CA's login: it signs the missing and stale
-- responses (an upsert, as the responder does) and reads them all to write the stapling files.
GRANT SELECT, INSERT, UPDATE ON ocsp_response TO pki_ca;
