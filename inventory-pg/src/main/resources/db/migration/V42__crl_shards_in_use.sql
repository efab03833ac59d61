-- Which CRL shards still hold certificates, whatever the shard count configured now: a certificate
-- keeps the shard (and CDP) it was issued with, so after the count is reduced the publisher keeps
-- publishing each shard until its last certificate has expired. PgCrlStore.shardsInUse asks for
-- the newest not_after of each shard, one backward probe of this index per shard.
-- Re-runnable (IF NOT EXISTS), like every migration after the logins (see LoginUpgradeTest).
CREATE INDEX IF NOT EXISTS certificate_shard_not_after ON certificate (ca_id, shard, not_after);
