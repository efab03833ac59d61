-- CRLs as published, and the CRL number counter of each scope (CA, shard). Shard 0 is a CA's
-- complete CRL (every revoked certificate of the CA); shards 1..n are partitions.
-- CRL numbers: one sequence per scope, shared by complete and delta CRLs (RFC 5280 5.2.3).
-- A publisher takes the next number by updating the scope's counter row (the row lock
-- serialises two publishers) in the same transaction that stores the CRL, so a number is used
-- only by a stored CRL; the triggers refuse any number that does not exceed every earlier one.

CREATE TABLE crl_counter (
    ca_id       bigint NOT NULL REFERENCES ca (id),
    shard       smallint NOT NULL CHECK (shard >= 0),
    last_number numeric(49, 0) NOT NULL DEFAULT 0 CHECK (last_number >= 0),
    PRIMARY KEY (ca_id, shard)
);

CREATE TABLE crl (
    ca_id           bigint NOT NULL REFERENCES ca (id),
    shard           smallint NOT NULL CHECK (shard >= 0),
    crl_number      numeric(49, 0) NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('full', 'delta')),
    base_crl_number numeric(49, 0),
    this_update     timestamptz NOT NULL,
    next_update     timestamptz NOT NULL,
    entries         bigint NOT NULL CHECK (entries >= 0),
    der             bytea NOT NULL CHECK (octet_length(der) > 0),
    published_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (ca_id, shard, kind, crl_number),
    -- Complete and delta CRLs of a scope share one sequence: a number is never used twice.
    CONSTRAINT crl_number_once UNIQUE (ca_id, shard, crl_number),
    -- RFC 5280 5.2.3: a positive integer of at most 20 octets.
    CONSTRAINT crl_number_range CHECK (crl_number > 0
        AND crl_number < 730750818665451459101842416358141509827966271488),
    CONSTRAINT crl_next_after_this CHECK (next_update > this_update),
    CONSTRAINT crl_delta_has_base CHECK ((kind = 'delta') = (base_crl_number IS NOT NULL)),
    CONSTRAINT crl_base_before CHECK (base_crl_number IS NULL OR base_crl_number < crl_number)
);

-- A new CRL's number exceeds every earlier number of its scope and is the one just allocated.
CREATE FUNCTION crl_number_forward() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM crl WHERE ca_id = NEW.ca_id AND shard = NEW.shard
                                   AND crl_number >= NEW.crl_number) THEN
        RAISE EXCEPTION 'CRL number % of CA % shard % does not exceed an earlier one',
            NEW.crl_number, NEW.ca_id, NEW.shard USING ERRCODE = 'check_violation';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM crl_counter WHERE ca_id = NEW.ca_id AND shard = NEW.shard
                                           AND last_number = NEW.crl_number) THEN
        RAISE EXCEPTION 'CRL number % of CA % shard % was not allocated from its counter',
            NEW.crl_number, NEW.ca_id, NEW.shard USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER crl_number_forward BEFORE INSERT ON crl
    FOR EACH ROW EXECUTE FUNCTION crl_number_forward();

-- Published CRLs are evidence: they are never changed. (Old ones may be pruned by the owner.)
CREATE FUNCTION crl_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'published CRLs are not changed: % on crl is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER crl_no_update BEFORE UPDATE ON crl
    FOR EACH ROW EXECUTE FUNCTION crl_refuse_change();

-- Counters only move forward.
CREATE FUNCTION crl_counter_forward() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.last_number <= OLD.last_number THEN
        RAISE EXCEPTION 'CRL counters only move forward (from % to % refused)', OLD.last_number, NEW.last_number
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER crl_counter_forward BEFORE UPDATE ON crl_counter
    FOR EACH ROW EXECUTE FUNCTION crl_counter_forward();

-- What a CRL lists, in serial order: the CA's complete CRL, and each shard's.
CREATE INDEX certificate_revoked_serial ON certificate (ca_id, serial) WHERE status = 'revoked';
CREATE INDEX certificate_revoked_shard_serial ON certificate (ca_id, shard, serial) WHERE status = 'revoked';
-- What a delta CRL lists: the few revoked since its base.
CREATE INDEX certificate_revoked_at ON certificate (ca_id, revoked_at) WHERE status = 'revoked';

REVOKE ALL ON crl, crl_counter FROM PUBLIC;
REVOKE ALL ON FUNCTION crl_number_forward(), crl_refuse_change(), crl_counter_forward() FROM PUBLIC;
-- The CRL publisher reads certificates and CAs (V3), stores CRLs and moves its counters.
GRANT SELECT, INSERT ON crl TO pki_crl;
GRANT SELECT, INSERT, UPDATE ON crl_counter TO pki_crl;
-- The CA makes the root's CRL at the ceremony; the auditor reads everything.
GRANT SELECT, INSERT ON crl TO pki_ca;
GRANT SELECT, INSERT, UPDATE ON crl_counter TO pki_ca;
GRANT SELECT ON crl, crl_counter TO pki_auditor;
