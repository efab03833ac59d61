-- ACME working state is purged once it can no longer be used (acme.purgeAfter past its end): orders
-- that never produced a certificate after they expire, orders with a certificate after the
-- certificate expires (revokeCert by the ordering account and ARI's "replaces" read them until then),
-- authorizations after they expire and no remaining order names them. The audit log keeps the
-- record: account creation, every validation (acme.validated / acme.validation_failed) and every
-- issuance stay there.
-- Re-runnable (IF NOT EXISTS), like every migration after the logins (see LoginUpgradeTest).
ALTER TABLE acme_order ADD COLUMN IF NOT EXISTS cert_not_after timestamptz;

-- Orders issued before this column existed: their certificate's notAfter.
-- (cert_serial is the serial in hex, certificate.serial a number: the hex digits summed by place.)
UPDATE acme_order o SET cert_not_after = c.not_after
  FROM certificate c
 WHERE o.cert_not_after IS NULL AND o.cert_serial IS NOT NULL
   AND c.serial = (SELECT sum(('x' || lpad(substr(o.cert_serial, i, 1), 8, '0'))::bit(32)::int
                              * 16::numeric ^ (length(o.cert_serial) - i))
                     FROM generate_series(1, length(o.cert_serial)) i);

-- The housekeeping statements (expiry, purge) select by these; without them each pass reads every
-- row. Partial, so that the many finished orders (whose expires has long passed) are not in the
-- index that the minute-by-minute expiry walks.
CREATE INDEX IF NOT EXISTS acme_order_open_expires ON acme_order (expires) WHERE status IN ('pending', 'ready');
CREATE INDEX IF NOT EXISTS acme_order_unissued_expires ON acme_order (expires) WHERE cert_serial IS NULL;
CREATE INDEX IF NOT EXISTS acme_order_cert_not_after ON acme_order (cert_not_after) WHERE cert_not_after IS NOT NULL;
CREATE INDEX IF NOT EXISTS acme_authorization_open_expires ON acme_authorization (expires)
    WHERE status IN ('pending', 'valid');
CREATE INDEX IF NOT EXISTS acme_authorization_expires ON acme_authorization (expires);
-- Validations left processing by a stopped instance (started unset by versions before V44).
CREATE INDEX IF NOT EXISTS acme_challenge_processing ON acme_challenge (started) WHERE status = 'processing';

GRANT DELETE ON acme_order, acme_order_authorization, acme_authorization, acme_challenge TO pki_acme;
