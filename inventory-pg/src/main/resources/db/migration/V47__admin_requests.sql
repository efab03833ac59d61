-- Requests of the admin API that wait for approval (dual control, M of N) and run once approved:
-- for now, revocations of a list of certificates. Every item is one certificate; an item is marked
-- done once the CA has revoked it (or found it revoked), so that a run stopped half-way resumes
-- where it stopped and revokes nothing twice. Approvals are one row per administrator and
-- request: nobody approves twice.
-- Re-runnable (IF NOT EXISTS), like every migration after the logins (see LoginUpgradeTest).
CREATE TABLE IF NOT EXISTS admin_request (
    id                 text PRIMARY KEY,
    kind               text NOT NULL CHECK (kind IN ('revocation')),
    state              text NOT NULL CHECK (state IN ('pending-approval', 'running', 'done', 'rejected', 'expired')),
    requester          text NOT NULL REFERENCES admin (name),
    reason             text NOT NULL,
    approvals_required int NOT NULL CHECK (approvals_required >= 0),
    item_count         int NOT NULL CHECK (item_count > 0),
    created_at         timestamptz NOT NULL DEFAULT now(),
    expires_at         timestamptz NOT NULL,
    decided_at         timestamptz,
    finished_at        timestamptz
);
CREATE INDEX IF NOT EXISTS admin_request_state ON admin_request (state, created_at);

CREATE TABLE IF NOT EXISTS admin_request_item (
    request_id text NOT NULL REFERENCES admin_request (id),
    ca_id      bigint NOT NULL,
    serial     numeric(49, 0) NOT NULL,
    outcome    text CHECK (outcome IN ('revoked', 'already-revoked')),
    done_at    timestamptz,
    PRIMARY KEY (request_id, ca_id, serial),
    FOREIGN KEY (ca_id, serial) REFERENCES certificate (ca_id, serial)
);
CREATE INDEX IF NOT EXISTS admin_request_item_open ON admin_request_item (request_id) WHERE done_at IS NULL;

CREATE TABLE IF NOT EXISTS admin_approval (
    request_id text NOT NULL REFERENCES admin_request (id),
    admin_name text NOT NULL REFERENCES admin (name),
    decision   text NOT NULL CHECK (decision IN ('approve', 'reject')),
    at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (request_id, admin_name)
);

GRANT SELECT, INSERT, UPDATE ON admin_request, admin_request_item, admin_approval TO pki_admin;
GRANT SELECT ON admin_request, admin_request_item, admin_approval TO pki_auditor;
