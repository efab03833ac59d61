-- Group roles, one per service (NOLOGIN: login users are made members by the operator). Roles
-- are cluster-wide, so they may exist already from another database: create them only if
-- missing, and tolerate a concurrent creation.
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['pki_ca', 'pki_ocsp', 'pki_crl', 'pki_acme', 'pki_auditor'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', r);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;
            END;
        END IF;
    END LOOP;
END
$$;
