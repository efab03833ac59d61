-- ACME challenges dns-account-01 (draft-ietf-acme-dns-account-label-02) and dns-persist-01
-- (draft-ietf-acme-dns-persist-01) beside http-01, dns-01 and tls-alpn-01. No new table and no
-- new grant: pki_acme keeps what V30 and V45 gave it on acme_challenge.
ALTER TABLE acme_challenge DROP CONSTRAINT IF EXISTS acme_challenge_type_check;
ALTER TABLE acme_challenge ADD CONSTRAINT acme_challenge_type_check
    CHECK (type IN ('http-01', 'dns-01', 'tls-alpn-01', 'dns-account-01', 'dns-persist-01'));
