-- When a challenge's validation started: the per-account validation limit counts these.
ALTER TABLE acme_challenge ADD COLUMN started timestamptz;
CREATE INDEX acme_challenge_started ON acme_challenge (started) WHERE started IS NOT NULL;
