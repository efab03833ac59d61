-- When a challenge's validation started: the per-account validation limit counts these.
-- Re-runnable (IF NOT EXISTS), like every migration after the logins (see LoginUpgradeTest).
ALTER TABLE acme_challenge ADD COLUMN IF NOT EXISTS started timestamptz;
CREATE INDEX IF NOT EXISTS acme_challenge_started ON acme_challenge (started) WHERE started IS NOT NULL;
