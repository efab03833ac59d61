-- Destruction of the PKI's own keys (key retirement): one row per key destroyed in its token, an
-- issuing CA's or an OCSP signer's, written by the process that destroyed it (the CA service for
-- an approved admin API request, or 'pki ca destroy-key' on the CA host) right after the token's
-- C_DestroyObject. A destruction is final, so rows are never changed or removed. key_sha256 is the
-- SHA-256 of the key's SubjectPublicKeyInfo (one record per key); ca_id the CA row the key was
-- named by. grounds: 'expired' (every certificate of the key and under it had expired or was
-- revoked) or 'compromised' (revoked for keyCompromise or cACompromise). The final CRL (issuing
-- CAs) is valid until final_crl_next_update, past last_expiry.
-- Re-runnable (IF NOT EXISTS), like every migration after the logins (see LoginUpgradeTest).
CREATE TABLE IF NOT EXISTS key_destruction (
    key_sha256            text PRIMARY KEY CHECK (key_sha256 ~ '^[0-9a-f]{64}$'),
    ca_id                 bigint NOT NULL REFERENCES ca (id),
    ca_name               text NOT NULL CHECK (ca_name <> ''),
    role                  text NOT NULL CHECK (role IN ('issuing', 'ocsp-signer')),
    key_label             text NOT NULL CHECK (key_label <> ''),
    token_label           text NOT NULL CHECK (token_label <> ''),
    grounds               text NOT NULL CHECK (grounds IN ('expired', 'compromised')),
    last_expiry           timestamptz NOT NULL,
    final_crl_number      numeric(49, 0),
    final_crl_next_update timestamptz,
    requested_by          text NOT NULL CHECK (requested_by <> ''),
    approvers             text[] NOT NULL,
    break_glass           boolean NOT NULL,
    token_answer          text NOT NULL CHECK (length(token_answer) BETWEEN 1 AND 2000),
    destroyed_at          timestamptz NOT NULL,
    CONSTRAINT key_destruction_final_crl CHECK ((role = 'issuing') = (final_crl_next_update IS NOT NULL)),
    CONSTRAINT key_destruction_dual_control CHECK (break_glass OR cardinality(approvers) >= 2)
);

CREATE OR REPLACE FUNCTION key_destruction_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a key destruction record is final: % on key_destruction is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

DROP TRIGGER IF EXISTS key_destruction_no_change ON key_destruction;
CREATE TRIGGER key_destruction_no_change BEFORE UPDATE OR DELETE ON key_destruction
    FOR EACH ROW EXECUTE FUNCTION key_destruction_refuse_change();
DROP TRIGGER IF EXISTS key_destruction_no_truncate ON key_destruction;
CREATE TRIGGER key_destruction_no_truncate BEFORE TRUNCATE ON key_destruction
    FOR EACH STATEMENT EXECUTE FUNCTION key_destruction_refuse_change();

REVOKE ALL ON key_destruction FROM PUBLIC;
REVOKE ALL ON FUNCTION key_destruction_refuse_change() FROM PUBLIC;
-- The CA process (service or CA host) destroys and records; the CRL publisher skips a CA whose key
-- is destroyed (its final CRL stands); the admin API checks a request against it; the auditor
-- reads it for the compliance report.
GRANT SELECT, INSERT ON key_destruction TO pki_ca;
GRANT SELECT ON key_destruction TO pki_crl, pki_admin, pki_auditor;

-- The admin API's dual control asks for a key's destruction with requests of kind key-destruction
-- (the CA and key in the payload); a later migration that lists the kinds again keeps this one.
ALTER TABLE admin_request DROP CONSTRAINT IF EXISTS admin_request_kind_check;
ALTER TABLE admin_request ADD CONSTRAINT admin_request_kind_check
    CHECK (kind IN ('revocation', 'admin-change', 'ca-revocation', 'key-destruction'));
