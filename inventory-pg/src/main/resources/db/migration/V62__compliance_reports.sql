-- Compliance reports as filed: 'pki report compliance' (the auditor's login, on the CA host where
-- the tokens can be read) files each report it makes, and the admin API shows the newest to
-- auditors (the console's audit page). Append-only: the auditor's login may add a report, never
-- change or remove one; the admin login only reads. Re-runnable.
CREATE TABLE IF NOT EXISTS compliance_report (
    id           bigserial PRIMARY KEY,
    generated_at timestamptz NOT NULL,
    ok           boolean NOT NULL,
    failed       integer NOT NULL CHECK (failed >= 0),
    report       jsonb NOT NULL CHECK (jsonb_typeof(report) = 'object'),
    filed_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT compliance_report_ok_means_no_failure CHECK (ok = (failed = 0))
);
CREATE INDEX IF NOT EXISTS compliance_report_generated ON compliance_report (generated_at);

GRANT SELECT, INSERT ON compliance_report TO pki_auditor;
GRANT USAGE ON SEQUENCE compliance_report_id_seq TO pki_auditor;
GRANT SELECT ON compliance_report TO pki_admin;
