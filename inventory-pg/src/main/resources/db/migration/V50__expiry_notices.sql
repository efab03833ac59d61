-- Expiry notices: the admin service's daily job tells the owner of a certificate (or the PKI team,
-- for a CA or OCSP signer certificate) that it expires within a window (30, 14, 7 days by default)
-- and has no replacement yet, by e-mail and by webhook. One row per certificate, window and
-- channel: the key is what keeps a notice from being sent twice, and the row is written (state
-- sending) before the notice goes out, so that a failed send is retried on the next run and a
-- sent one is never repeated. serial 0 stands for the CA row ca_id's own certificate (a CA, an
-- OCSP signer): no certificate has serial 0 (V1 checks serial > 0).
-- Re-runnable (IF NOT EXISTS), like every migration after the logins (see LoginUpgradeTest).
CREATE TABLE IF NOT EXISTS expiry_notice (
    ca_id       bigint NOT NULL REFERENCES ca (id),
    serial      numeric(49, 0) NOT NULL CHECK (serial >= 0),
    window_days int NOT NULL CHECK (window_days BETWEEN 1 AND 3650),
    channel     text NOT NULL CHECK (channel IN ('email', 'webhook')),
    recipient   text NOT NULL CHECK (length(recipient) BETWEEN 1 AND 2000),
    not_after   timestamptz NOT NULL,
    outcome     text NOT NULL CHECK (outcome IN ('sending', 'sent', 'failed')),
    attempts    int NOT NULL DEFAULT 1 CHECK (attempts > 0),
    decided_at  timestamptz NOT NULL,
    sent_at     timestamptz,
    error       text CHECK (error IS NULL OR length(error) <= 500),
    PRIMARY KEY (ca_id, serial, window_days, channel),
    CONSTRAINT expiry_notice_sent_has_time CHECK ((outcome = 'sent') = (sent_at IS NOT NULL))
);
-- The notices to retry: few (failed ones), found without reading the sent ones.
CREATE INDEX IF NOT EXISTS expiry_notice_unsent ON expiry_notice (decided_at) WHERE outcome <> 'sent';

-- "No replacement yet": a later, unrevoked certificate of the same profile and subject (and the
-- same names, compared by the query). The daily job asks this for each expiring certificate.
CREATE INDEX IF NOT EXISTS certificate_renewal ON certificate (profile, subject, not_after) WHERE status = 'issued';

GRANT SELECT, INSERT, UPDATE ON expiry_notice TO pki_admin;
GRANT SELECT ON expiry_notice TO pki_auditor;
