-- Revocations of the PKI's own certificates below the root: an issuing CA, or an OCSP signer
-- (table ca). One row per revoked certificate, written by the CA service (or 'pki ca revoke' on
-- the CA host) only; a revocation is final, so rows are never changed or removed. The serial is
-- the certificate's, copied here so that the issuer's CRL can list the entry: the root's CRL
-- (ARL) lists its revoked issuing CAs, an issuing CA's complete CRL its revoked OCSP signers.
-- A root is never revoked here (no CRL can revoke its own issuer's trust anchor).
-- Re-runnable (IF NOT EXISTS), like every migration after the logins (see LoginUpgradeTest).
CREATE TABLE IF NOT EXISTS ca_revocation (
    ca_id             bigint PRIMARY KEY REFERENCES ca (id),
    serial            numeric(49, 0) NOT NULL,
    revoked_at        timestamptz NOT NULL,
    -- RFC 5280 5.3.1 CRLReason codes usable for a CA or OCSP signer certificate:
    -- unspecified 0, keyCompromise 1, cACompromise 2, affiliationChanged 3, superseded 4,
    -- cessationOfOperation 5, privilegeWithdrawn 9.
    revocation_reason smallint NOT NULL CHECK (revocation_reason IN (0, 1, 2, 3, 4, 5, 9)),
    invalidity_date   timestamptz,
    revoked_by        text NOT NULL CHECK (revoked_by <> ''),
    CONSTRAINT ca_revocation_serial_positive CHECK (serial > 0),
    CONSTRAINT ca_revocation_serial_20_octets CHECK (serial < 730750818665451459101842416358141509827966271488)
);

CREATE OR REPLACE FUNCTION ca_revocation_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a CA revocation is final: % on ca_revocation is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

-- The root is not revoked by a row here: refused by the database as well as by the code.
CREATE OR REPLACE FUNCTION ca_revocation_not_root() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM ca WHERE id = NEW.ca_id AND (role NOT IN ('issuing', 'ocsp-signer') OR parent_id IS NULL)) THEN
        RAISE EXCEPTION 'only an issuing CA or an OCSP signer certificate is revoked in ca_revocation (CA %)', NEW.ca_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS ca_revocation_no_change ON ca_revocation;
CREATE TRIGGER ca_revocation_no_change BEFORE UPDATE OR DELETE ON ca_revocation
    FOR EACH ROW EXECUTE FUNCTION ca_revocation_refuse_change();
DROP TRIGGER IF EXISTS ca_revocation_no_truncate ON ca_revocation;
CREATE TRIGGER ca_revocation_no_truncate BEFORE TRUNCATE ON ca_revocation
    FOR EACH STATEMENT EXECUTE FUNCTION ca_revocation_refuse_change();
DROP TRIGGER IF EXISTS ca_revocation_not_root ON ca_revocation;
CREATE TRIGGER ca_revocation_not_root BEFORE INSERT ON ca_revocation
    FOR EACH ROW EXECUTE FUNCTION ca_revocation_not_root();

REVOKE ALL ON ca_revocation FROM PUBLIC;
REVOKE ALL ON FUNCTION ca_revocation_refuse_change(), ca_revocation_not_root() FROM PUBLIC;
-- The CA records revocations and lists them on its CRLs; the OCSP responder reads them (a revoked
-- signer is replaced at once); the admin API and the auditor read them.
GRANT SELECT, INSERT ON ca_revocation TO pki_ca;
GRANT SELECT ON ca_revocation TO pki_ocsp, pki_admin, pki_auditor;
