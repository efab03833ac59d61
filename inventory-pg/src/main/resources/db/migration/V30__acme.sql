-- ACME (RFC 8555) state: accounts, orders, authorizations, challenges, nonces and EAB keys.
-- Ids are random URL-safe strings (they appear in URLs; sequential ids would let a client count
-- other clients' objects). Nonces live here so that several ACME instances sharing the database
-- accept each other's nonces, each one once.

CREATE TABLE eab_key (
    kid           text PRIMARY KEY,
    hmac_key      bytea NOT NULL CHECK (octet_length(hmac_key) >= 32),
    profile       text NOT NULL,
    name_patterns text[] NOT NULL CHECK (cardinality(name_patterns) > 0),
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- The account an EAB key was used for; a key binds one account only.
    account_id    text
);

CREATE TABLE acme_account (
    id            text PRIMARY KEY,
    thumbprint    text NOT NULL UNIQUE,
    jwk           text NOT NULL,
    contact       text NOT NULL DEFAULT '[]',
    status        text NOT NULL CHECK (status IN ('valid', 'deactivated', 'revoked')),
    eab_kid       text REFERENCES eab_key (kid),
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE acme_order (
    id            text PRIMARY KEY,
    account_id    text NOT NULL REFERENCES acme_account (id),
    status        text NOT NULL CHECK (status IN ('pending', 'ready', 'processing', 'valid', 'invalid')),
    identifiers   text NOT NULL,
    profile       text NOT NULL,
    expires       timestamptz NOT NULL,
    not_before    timestamptz,
    not_after     timestamptz,
    error         text,
    cert_serial   text,
    cert_chain    text,
    replaces      text,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX acme_order_account ON acme_order (account_id, created_at);
CREATE INDEX acme_order_serial ON acme_order (cert_serial) WHERE cert_serial IS NOT NULL;

CREATE TABLE acme_authorization (
    id            text PRIMARY KEY,
    account_id    text NOT NULL REFERENCES acme_account (id),
    type          text NOT NULL CHECK (type IN ('dns', 'ip')),
    value         text NOT NULL,
    wildcard      boolean NOT NULL,
    status        text NOT NULL CHECK (status IN ('pending', 'valid', 'invalid', 'deactivated', 'expired', 'revoked')),
    expires       timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
-- Authorization reuse: a valid, unexpired authorization of the same account and identifier.
CREATE INDEX acme_authorization_reuse ON acme_authorization (account_id, type, value, wildcard, status, expires);

CREATE TABLE acme_order_authorization (
    order_id      text NOT NULL REFERENCES acme_order (id),
    authz_id      text NOT NULL REFERENCES acme_authorization (id),
    PRIMARY KEY (order_id, authz_id)
);
CREATE INDEX acme_order_authorization_authz ON acme_order_authorization (authz_id);

CREATE TABLE acme_challenge (
    id            text PRIMARY KEY,
    authz_id      text NOT NULL REFERENCES acme_authorization (id),
    type          text NOT NULL CHECK (type IN ('http-01', 'dns-01', 'tls-alpn-01')),
    token         text NOT NULL,
    status        text NOT NULL CHECK (status IN ('pending', 'processing', 'valid', 'invalid')),
    validated     timestamptz,
    error         text
);
CREATE INDEX acme_challenge_authz ON acme_challenge (authz_id);

CREATE TABLE acme_nonce (
    nonce         text PRIMARY KEY,
    expires       timestamptz NOT NULL
);
CREATE INDEX acme_nonce_expires ON acme_nonce (expires);

REVOKE ALL ON eab_key, acme_account, acme_order, acme_authorization, acme_order_authorization,
    acme_challenge, acme_nonce FROM PUBLIC;
-- The ACME front end keeps its own state; it reads EAB keys and binds them, but only the owner
-- ('pki eab new') makes them. Nonces are deleted when used or expired.
GRANT SELECT, INSERT, UPDATE ON acme_account, acme_order, acme_authorization, acme_challenge TO pki_acme;
GRANT SELECT, INSERT ON acme_order_authorization TO pki_acme;
GRANT SELECT, INSERT, DELETE ON acme_nonce TO pki_acme;
GRANT SELECT, UPDATE ON eab_key TO pki_acme;
-- The auditor reads the ACME state, never the EAB secrets.
GRANT SELECT ON acme_account, acme_order, acme_authorization, acme_order_authorization, acme_challenge
    TO pki_auditor;
