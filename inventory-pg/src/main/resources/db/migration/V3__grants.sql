-- Deny by default, then grant each service what it needs. Nobody but the owner may delete a
-- certificate; nobody but the owner may change or delete audit entries (and the triggers refuse
-- even the owner).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC;

GRANT USAGE ON SCHEMA public TO pki_ca, pki_ocsp, pki_crl, pki_acme, pki_auditor;

-- The CA: records CAs, intents, issuances and revocations; appends and checkpoints the audit log.
GRANT SELECT, INSERT ON ca TO pki_ca;
GRANT USAGE ON SEQUENCE ca_id_seq TO pki_ca;
GRANT SELECT, INSERT, UPDATE ON certificate TO pki_ca;
GRANT SELECT, INSERT ON audit_event TO pki_ca;
GRANT SELECT, UPDATE ON audit_head TO pki_ca;
GRANT SELECT, INSERT ON audit_checkpoint TO pki_ca;

-- Readers: OCSP responder, CRL publisher, ACME front end. Appending to the audit log needs the
-- head lock (SELECT ... FOR UPDATE) and moving the head.
GRANT SELECT ON ca, certificate TO pki_ocsp, pki_crl, pki_acme;
GRANT INSERT ON audit_event TO pki_ocsp, pki_crl, pki_acme;
GRANT SELECT, UPDATE ON audit_head TO pki_ocsp, pki_crl, pki_acme;

-- The auditor reads everything and changes nothing.
GRANT SELECT ON ca, certificate, audit_event, audit_head, audit_checkpoint TO pki_auditor;
