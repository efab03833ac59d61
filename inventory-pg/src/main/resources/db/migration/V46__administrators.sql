-- The admin API's group role (its login, <prefix>_admin, is made by 'pki init' / 'pki up' as the others).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pki_admin') THEN
        BEGIN
            CREATE ROLE pki_admin NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
END
$$;
GRANT USAGE ON SCHEMA public TO pki_admin;

-- PKI administrators of the admin API: each holds roles (checked by the API on every request) and
-- is authenticated by client certificates of the admin profile. The roles live here, not in the
-- certificate, so that a change needs no new certificate; a certificate belongs to one
-- administrator. 'pki admin enroll' (on the CA host, as the CA's role) writes these; the admin API
-- reads them, the inventory and the audit log, and appends its own audit entries.
-- Re-runnable (IF NOT EXISTS), like every migration after the logins (see LoginUpgradeTest).
CREATE TABLE IF NOT EXISTS admin (
    name        text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,127}$'),
    roles       text[] NOT NULL CHECK (cardinality(roles) > 0
                    AND roles <@ ARRAY['requester', 'approver', 'operator', 'auditor', 'security-officer']),
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS admin_certificate (
    ca_id       bigint NOT NULL,
    serial      numeric(49, 0) NOT NULL,
    admin_name  text NOT NULL REFERENCES admin (name),
    enrolled_at timestamptz NOT NULL DEFAULT now(),
    enrolled_by text NOT NULL,
    PRIMARY KEY (ca_id, serial),
    FOREIGN KEY (ca_id, serial) REFERENCES certificate (ca_id, serial)
);
CREATE INDEX IF NOT EXISTS admin_certificate_admin ON admin_certificate (admin_name);

-- The inventory search by name (admin API ?san=) and the audit log read by time (?since=).
CREATE INDEX IF NOT EXISTS certificate_sans ON certificate USING gin (sans);
CREATE INDEX IF NOT EXISTS audit_event_at ON audit_event (at);

GRANT SELECT, INSERT, UPDATE ON admin, admin_certificate TO pki_ca;
GRANT SELECT ON admin, admin_certificate TO pki_auditor, pki_admin;
GRANT SELECT ON ca, certificate, audit_event TO pki_admin;
GRANT INSERT ON audit_event TO pki_admin;
GRANT SELECT, UPDATE ON audit_head TO pki_admin;
