-- The certificate inventory and the chained audit log. Constraints state the lifecycle rules so
-- that no service (and no hand-written SQL) can store a row that breaks them.

CREATE TABLE ca (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (name <> ''),
    role        text NOT NULL CHECK (role IN ('root', 'issuing', 'ocsp-signer', 'audit')),
    parent_id   bigint REFERENCES ca (id),
    key_label   text NOT NULL CHECK (key_label <> ''),
    certificate bytea NOT NULL CHECK (octet_length(certificate) > 0),
    subject     text,
    not_before  timestamptz,
    not_after   timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ca_root_has_no_parent CHECK (role <> 'root' OR parent_id IS NULL),
    CONSTRAINT ca_validity_ordered CHECK (not_after IS NULL OR not_before IS NULL OR not_after > not_before)
);

-- Serials are numeric(49,0), not hex text: the value is canonical by construction (no leading
-- zeros or letter case to disagree on), CHECKs can state RFC 5280's rules (positive, at most 20
-- octets, i.e. below 2^159), and it sorts and compares as a number.
CREATE TABLE certificate (
    ca_id             bigint NOT NULL REFERENCES ca (id),
    serial            numeric(49, 0) NOT NULL,
    profile           text NOT NULL,
    subject           text NOT NULL,
    sans              text[] NOT NULL DEFAULT '{}',
    spki_sha256       bytea NOT NULL CHECK (octet_length(spki_sha256) = 32),
    not_before        timestamptz NOT NULL,
    not_after         timestamptz NOT NULL,
    status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'issued', 'revoked')),
    tbs               bytea NOT NULL,
    der               bytea,
    requester         text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    issued_at         timestamptz,
    revoked_at        timestamptz,
    -- RFC 5280 5.3.1 CRLReason codes; 7 is not assigned.
    revocation_reason smallint CHECK (revocation_reason IN (0, 1, 2, 3, 4, 5, 6, 8, 9, 10)),
    invalidity_date   timestamptz,
    -- For partitioned CRLs: which CRL shard lists this certificate when revoked.
    shard             smallint NOT NULL DEFAULT 0 CHECK (shard >= 0),
    PRIMARY KEY (ca_id, serial),
    CONSTRAINT certificate_serial_positive CHECK (serial > 0),
    CONSTRAINT certificate_serial_20_octets CHECK (serial < 730750818665451459101842416358141509827966271488),
    CONSTRAINT certificate_validity_ordered CHECK (not_after > not_before),
    -- A pending row is a plan: nothing was signed, so there is no certificate.
    CONSTRAINT certificate_pending_unsigned CHECK (status <> 'pending' OR (der IS NULL AND issued_at IS NULL)),
    CONSTRAINT certificate_signed_has_der CHECK (status = 'pending' OR (der IS NOT NULL AND issued_at IS NOT NULL)),
    -- Revocation data exists exactly when the certificate is revoked.
    CONSTRAINT certificate_revocation_data CHECK (
        CASE WHEN status = 'revoked'
             THEN revoked_at IS NOT NULL AND revocation_reason IS NOT NULL
             ELSE revoked_at IS NULL AND revocation_reason IS NULL AND invalidity_date IS NULL
        END)
);

CREATE INDEX certificate_status_not_after ON certificate (status, not_after);
CREATE INDEX certificate_profile_status ON certificate (profile, status);
CREATE INDEX certificate_spki_sha256 ON certificate (spki_sha256);
-- Serials are unique per CA only; this finds a serial under any CA.
CREATE INDEX certificate_serial ON certificate (serial);
-- What a CRL (per CA and shard) lists.
CREATE INDEX certificate_revoked ON certificate (ca_id, shard) WHERE status = 'revoked';

-- The audit log: each entry chains to the previous one by hash (see AuditChain in ca-core);
-- details is the canonical JSON text exactly as hashed.
CREATE TABLE audit_event (
    seq       bigint PRIMARY KEY CHECK (seq > 0),
    at        timestamptz NOT NULL,
    type      text NOT NULL,
    actor     text NOT NULL,
    outcome   text NOT NULL,
    details   text NOT NULL,
    prev_hash bytea NOT NULL CHECK (octet_length(prev_hash) = 32),
    hash      bytea NOT NULL UNIQUE CHECK (octet_length(hash) = 32)
);

-- One row: the seq and hash of the last entry. Appenders lock it (SELECT ... FOR UPDATE), which
-- serialises appends; a head beyond the last entry reveals a cut-off tail.
CREATE TABLE audit_head (
    id   boolean PRIMARY KEY DEFAULT true CHECK (id),
    seq  bigint NOT NULL CHECK (seq >= 0),
    hash bytea NOT NULL CHECK (octet_length(hash) = 32)
);
INSERT INTO audit_head (id, seq, hash) VALUES (true, 0, decode(repeat('00', 32), 'hex'));

-- Signatures by the audit key over the head at a given seq. Not tied to audit_event by a
-- foreign key: a checkpoint is evidence that must outlive whatever happens to the entries.
CREATE TABLE audit_checkpoint (
    seq                 bigint PRIMARY KEY CHECK (seq > 0),
    hash                bytea NOT NULL CHECK (octet_length(hash) = 32),
    signed_at           timestamptz NOT NULL,
    key_label           text NOT NULL,
    signature_algorithm text NOT NULL,
    signature           bytea NOT NULL
);

-- Append-only, even for the table owner, unless someone drops or disables these triggers (which
-- the verifier then catches through the hash chain and the signed checkpoints).
CREATE FUNCTION audit_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_head_kept BEFORE DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- The head only moves forward.
CREATE FUNCTION audit_head_forward() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq <= OLD.seq THEN
        RAISE EXCEPTION 'the audit head only moves forward (from % to % refused)', OLD.seq, NEW.seq
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward();
