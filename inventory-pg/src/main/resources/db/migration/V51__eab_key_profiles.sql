-- ACME profiles (draft-ietf-acme-profiles): an external account key names every profile its
-- account may order; 'profile' stays the one an order gets when it names none, and is the first.
ALTER TABLE eab_key ADD COLUMN IF NOT EXISTS profiles text[];
UPDATE eab_key SET profiles = ARRAY[profile] WHERE profiles IS NULL;
ALTER TABLE eab_key ALTER COLUMN profiles SET NOT NULL;
ALTER TABLE eab_key DROP CONSTRAINT IF EXISTS eab_key_default_profile_first;
ALTER TABLE eab_key ADD CONSTRAINT eab_key_default_profile_first
    CHECK (cardinality(profiles) >= 1 AND profiles[1] = profile);
