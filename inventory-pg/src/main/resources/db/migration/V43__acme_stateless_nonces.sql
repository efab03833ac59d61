-- ACME nonces without a row per nonce (RFC 8555 6.5). A nonce carries a random part and its
-- expiry, authenticated by HMAC-SHA256 under the installation's nonce key: every ACME instance
-- reads the same key here, so each accepts the others' nonces and checks them without the
-- database. Only a spent nonce is written (acme_spent_nonce: its primary key refuses a replay
-- across instances and restarts), and forgotten once it has expired.
-- Re-runnable (IF [NOT] EXISTS), like every migration after the logins (see LoginUpgradeTest).
DROP TABLE IF EXISTS acme_nonce;

CREATE TABLE IF NOT EXISTS acme_nonce_key (
    one       boolean PRIMARY KEY DEFAULT true CHECK (one),
    hmac_key  bytea NOT NULL CHECK (octet_length(hmac_key) >= 32)
);
-- 32 bytes from PostgreSQL's strong random source (each gen_random_uuid() holds 122 random bits).
INSERT INTO acme_nonce_key (hmac_key)
    SELECT sha256(uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()))
    WHERE NOT EXISTS (SELECT 1 FROM acme_nonce_key);

CREATE TABLE IF NOT EXISTS acme_spent_nonce (
    nonce     text PRIMARY KEY,
    expires   timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS acme_spent_nonce_expires ON acme_spent_nonce (expires);

REVOKE ALL ON acme_nonce_key, acme_spent_nonce FROM PUBLIC;
-- Only the ACME front end reads the key (nobody changes it but the owner); the auditor reads neither.
GRANT SELECT ON acme_nonce_key TO pki_acme;
GRANT SELECT, INSERT, DELETE ON acme_spent_nonce TO pki_acme;
