-- Owners of certificates (a person or a team, with a contact address for expiry notices), the
-- owner, location and free tags of each certificate, and the mappings that give an ACME-issued
-- certificate its owner at issuance: an EAB key's owner, or an owner's ACME account contacts.
-- Owner data lives beside the certificate, not in it: it changes without a new certificate.
-- Re-runnable (IF NOT EXISTS), like every migration after the logins (see LoginUpgradeTest).
CREATE TABLE IF NOT EXISTS owner (
    name        text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,127}$'),
    contact     text CHECK (contact IS NULL OR contact ~ '^[^@\s<>",;]{1,64}@[A-Za-z0-9.-]{1,253}$'),
    location    text CHECK (location IS NULL OR length(location) <= 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL
);

-- ACME accounts whose contact (mailto: address) is listed here belong to the owner.
CREATE TABLE IF NOT EXISTS owner_acme_contact (
    contact text PRIMARY KEY CHECK (contact ~ '^[^@\s<>",;]{1,64}@[A-Za-z0-9.-]{1,253}$'),
    owner   text NOT NULL REFERENCES owner (name)
);

ALTER TABLE eab_key ADD COLUMN IF NOT EXISTS owner text REFERENCES owner (name);

CREATE TABLE IF NOT EXISTS certificate_owner (
    ca_id      bigint NOT NULL,
    serial     numeric(49, 0) NOT NULL,
    owner      text REFERENCES owner (name),
    location   text CHECK (location IS NULL OR length(location) <= 200),
    tags       text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 32),
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text NOT NULL,
    PRIMARY KEY (ca_id, serial),
    FOREIGN KEY (ca_id, serial) REFERENCES certificate (ca_id, serial)
);
CREATE INDEX IF NOT EXISTS certificate_owner_owner ON certificate_owner (owner);
CREATE INDEX IF NOT EXISTS certificate_owner_tags ON certificate_owner USING gin (tags);

-- Requests now also change administrators and their roles (kind admin-change) and revoke CA
-- certificates (ca-revocation); what such a request does is its payload. Requests without items
-- (an admin change) count none.
ALTER TABLE admin_request ADD COLUMN IF NOT EXISTS payload jsonb;
ALTER TABLE admin_request DROP CONSTRAINT IF EXISTS admin_request_kind_check;
ALTER TABLE admin_request ADD CONSTRAINT admin_request_kind_check
    CHECK (kind IN ('revocation', 'admin-change', 'ca-revocation'));
-- A request whose execution the CA refused for good (an admin certificate the CA may not issue)
-- ends failed, with the reason in its payload, instead of being retried for ever.
ALTER TABLE admin_request DROP CONSTRAINT IF EXISTS admin_request_state_check;
ALTER TABLE admin_request ADD CONSTRAINT admin_request_state_check
    CHECK (state IN ('pending-approval', 'running', 'done', 'rejected', 'expired', 'failed'));
ALTER TABLE admin_request DROP CONSTRAINT IF EXISTS admin_request_item_count_check;
ALTER TABLE admin_request ADD CONSTRAINT admin_request_item_count_check CHECK (item_count >= 0);

GRANT SELECT, INSERT, UPDATE ON owner, owner_acme_contact, certificate_owner TO pki_admin;
GRANT DELETE ON owner_acme_contact TO pki_admin;
GRANT UPDATE (owner) ON eab_key TO pki_admin;
GRANT SELECT (kid, owner, account_id, profile, created_at) ON eab_key TO pki_admin;
GRANT SELECT (id, contact, eab_kid) ON acme_account TO pki_admin;
GRANT SELECT (account_id, cert_serial, created_at) ON acme_order TO pki_admin;
GRANT SELECT, INSERT, UPDATE ON admin, admin_certificate TO pki_admin;
GRANT SELECT ON owner, owner_acme_contact TO pki_acme, pki_ca;
GRANT INSERT ON certificate_owner TO pki_acme, pki_ca;
GRANT SELECT ON owner, owner_acme_contact, certificate_owner TO pki_auditor;
