-- The device registry (IoMT onboarding): the devices a hospital expects, their one-time enrollment
-- codes and the certificates each holds. 'pki device register' (CA host, the CA's role) adds a
-- device and its code; the enrollment front ends (EST, CMP, SCEP: the enroll role) spend a code,
-- record the certificate they had issued and mark the device enrolled; 'pki device decommission'
-- revokes its certificates. Re-runnable (IF NOT EXISTS), like every migration after the logins.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pki_enroll') THEN
        BEGIN
            CREATE ROLE pki_enroll NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
END
$$;
GRANT USAGE ON SCHEMA public TO pki_enroll;

-- A serial is unique per manufacturer ('' when the manufacturer is not recorded).
CREATE TABLE IF NOT EXISTS device (
    id                bigserial PRIMARY KEY,
    serial            text NOT NULL CHECK (serial ~ '^[A-Za-z0-9][A-Za-z0-9._:/+-]{0,63}$'),
    manufacturer      text NOT NULL DEFAULT '' CHECK (length(manufacturer) <= 128),
    model             text CHECK (length(model) <= 128),
    location          text CHECK (length(location) <= 128),
    owner             text CHECK (length(owner) <= 128),
    state             text NOT NULL DEFAULT 'registered'
                          CHECK (state IN ('registered', 'enrolled', 'decommissioned')),
    registered_at     timestamptz NOT NULL DEFAULT now(),
    registered_by     text NOT NULL CHECK (registered_by <> ''),
    decommissioned_at timestamptz,
    decommissioned_by text,
    UNIQUE (manufacturer, serial),
    CONSTRAINT device_decommission_recorded
        CHECK ((state = 'decommissioned') = (decommissioned_at IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS device_serial ON device (serial);

-- One live code per device (a new registration of the code replaces it). The code is random
-- (160 bits); only its SHA-256 is kept for EST and SCEP, and a copy sealed (AES-256-GCM) under the
-- enrollment services' code key (PKI_HOME/secrets/device-code.key), because a CMP MAC (PBMAC1,
-- PasswordBasedMac) is keyed by the secret itself. Spent once: used_at.
CREATE TABLE IF NOT EXISTS device_enrollment_code (
    device_id   bigint PRIMARY KEY REFERENCES device (id),
    code_sha256 bytea NOT NULL UNIQUE CHECK (length(code_sha256) = 32),
    code_sealed bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    CHECK (expires_at > created_at)
);

-- The certificates of a device, each recorded by the front end that had it issued. A newer one
-- supersedes it: revoked (superseded) once supersede_after has passed.
CREATE TABLE IF NOT EXISTS device_certificate (
    ca_id           bigint NOT NULL,
    serial          numeric(49, 0) NOT NULL,
    device_id       bigint NOT NULL REFERENCES device (id),
    protocol        text NOT NULL CHECK (protocol IN ('est', 'cmp', 'scep', 'cli')),
    enrolled_at     timestamptz NOT NULL DEFAULT now(),
    supersede_after timestamptz,
    PRIMARY KEY (ca_id, serial),
    FOREIGN KEY (ca_id, serial) REFERENCES certificate (ca_id, serial)
);
CREATE INDEX IF NOT EXISTS device_certificate_device ON device_certificate (device_id);
CREATE INDEX IF NOT EXISTS device_certificate_due ON device_certificate (supersede_after)
    WHERE supersede_after IS NOT NULL;

GRANT SELECT, INSERT, UPDATE ON device, device_enrollment_code TO pki_ca;
GRANT SELECT, INSERT ON device_certificate TO pki_ca;
GRANT USAGE ON SEQUENCE device_id_seq TO pki_ca;
GRANT SELECT, UPDATE ON device, device_enrollment_code TO pki_enroll;
GRANT SELECT, INSERT, UPDATE ON device_certificate TO pki_enroll;
GRANT SELECT ON ca, certificate, ca_rollover TO pki_enroll;
GRANT INSERT ON audit_event TO pki_enroll;
GRANT SELECT, UPDATE ON audit_head TO pki_enroll;
GRANT SELECT ON device, device_certificate TO pki_auditor, pki_admin;
GRANT SELECT (device_id, created_at, expires_at, used_at) ON device_enrollment_code TO pki_auditor, pki_admin;
