-- The admin API verifies the audit log for auditors (the console's audit page), as 'pki audit
-- verify' does: it reads the signed checkpoints beside the entries it could already read.
GRANT SELECT ON audit_checkpoint TO pki_admin;
