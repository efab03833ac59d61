-- Issuing-CA rollover: a CA that profiles name (issuer_name, its first generation's ca.name) gets
-- a new generation with its own key, CA row and CRLs (ca.name '<issuer_name>-g<n>'). A row is
-- written with the new key's label before the key is generated (planned: ca_id NULL), and completed
-- in the transaction that records the new generation's CA row, so that a run that stopped half-way
-- is found and resumed, and no key exists without its record. Issuance switches at switch_at; the
-- previous generation keeps its key, CRLs and OCSP signer. Rows are never removed, and a completed
-- one never changes. Re-runnable (IF NOT EXISTS), like every migration after the logins.
CREATE TABLE IF NOT EXISTS ca_rollover (
    id             bigserial PRIMARY KEY,
    issuer_name    text NOT NULL CHECK (issuer_name <> ''),
    generation     integer NOT NULL CHECK (generation >= 2),
    previous_ca_id bigint NOT NULL REFERENCES ca (id),
    key_label      text NOT NULL UNIQUE CHECK (key_label <> ''),
    switch_at      timestamptz NOT NULL,
    requested_by   text NOT NULL CHECK (requested_by <> ''),
    planned_at     timestamptz NOT NULL,
    ca_id          bigint UNIQUE REFERENCES ca (id),
    completed_at   timestamptz,
    UNIQUE (issuer_name, generation),
    CONSTRAINT ca_rollover_completed_has_ca CHECK ((ca_id IS NULL) = (completed_at IS NULL))
);
-- At most one unfinished rollover per CA: a second run resumes it instead of starting another.
CREATE UNIQUE INDEX IF NOT EXISTS ca_rollover_one_open ON ca_rollover (issuer_name) WHERE ca_id IS NULL;

CREATE OR REPLACE FUNCTION ca_rollover_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.ca_id IS NULL AND NEW.ca_id IS NOT NULL
            AND NEW.id = OLD.id AND NEW.issuer_name = OLD.issuer_name AND NEW.generation = OLD.generation
            AND NEW.previous_ca_id = OLD.previous_ca_id AND NEW.key_label = OLD.key_label
            AND NEW.switch_at = OLD.switch_at AND NEW.requested_by = OLD.requested_by
            AND NEW.planned_at = OLD.planned_at THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'a CA rollover is completed once and never changed or removed: % on ca_rollover is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
DROP TRIGGER IF EXISTS ca_rollover_no_change ON ca_rollover;
CREATE TRIGGER ca_rollover_no_change BEFORE UPDATE OR DELETE ON ca_rollover
    FOR EACH ROW EXECUTE FUNCTION ca_rollover_refuse_change();
DROP TRIGGER IF EXISTS ca_rollover_no_truncate ON ca_rollover;
CREATE TRIGGER ca_rollover_no_truncate BEFORE TRUNCATE ON ca_rollover
    FOR EACH STATEMENT EXECUTE FUNCTION ca_rollover_refuse_change();

-- Admin requests of kind ca-rollover (dual control through the admin API). The kinds the check
-- allows already are kept, whichever migration added them.
DO $$
DECLARE
    kinds text[];
BEGIN
    SELECT array_agg(DISTINCT m[1]) INTO kinds
      FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([^'']+)''', 'g') AS m
     WHERE c.conname = 'admin_request_kind_check' AND c.conrelid = 'admin_request'::regclass;
    IF kinds IS NULL OR NOT 'ca-rollover' = ANY (kinds) THEN
        kinds := array_append(coalesce(kinds, ARRAY['revocation', 'admin-change', 'ca-revocation']), 'ca-rollover');
        ALTER TABLE admin_request DROP CONSTRAINT IF EXISTS admin_request_kind_check;
        EXECUTE 'ALTER TABLE admin_request ADD CONSTRAINT admin_request_kind_check CHECK (kind IN ('
                || (SELECT string_agg(quote_literal(k), ', ' ORDER BY k) FROM unnest(kinds) AS k) || '))';
    END IF;
END
$$;

REVOKE ALL ON ca_rollover FROM PUBLIC;
REVOKE ALL ON FUNCTION ca_rollover_refuse_change() FROM PUBLIC;
-- The CA plans and completes rollovers (and records the new generation in ca, V3); ACME reads them
-- for ARI, the admin API to check a rollover request, the auditor for the evidence.
GRANT SELECT, INSERT, UPDATE ON ca_rollover TO pki_ca;
GRANT USAGE ON SEQUENCE ca_rollover_id_seq TO pki_ca;
GRANT SELECT ON ca_rollover TO pki_acme, pki_admin, pki_auditor;
