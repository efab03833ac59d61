-- A device's names and profile (IoMT onboarding): the URI its certificates carry as a SAN (an SDC
-- participant's endpoint reference urn:uuid:..., an RFC 9039 urn:dev: URN, or the device's https
-- URL in a registry), and the certificate profile it enrolls under (NULL: the installation's
-- devices.profile). Both come from the registry, never from a device's request. Re-runnable.
ALTER TABLE device ADD COLUMN IF NOT EXISTS uri text;
ALTER TABLE device ADD COLUMN IF NOT EXISTS profile text;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'device_uri_form') THEN
        ALTER TABLE device ADD CONSTRAINT device_uri_form CHECK (length(uri) <= 255
            AND (starts_with(uri, 'urn:uuid:') OR starts_with(uri, 'urn:dev:') OR starts_with(uri, 'https://')));
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'device_profile_name') THEN
        ALTER TABLE device ADD CONSTRAINT device_profile_name CHECK (profile ~ '^[a-z0-9][a-z0-9-]{0,63}$');
    END IF;
END
$$;

-- One live device per URI: two devices answering to one endpoint reference would be one identity.
-- A decommissioned device's URI may be given to its replacement.
CREATE UNIQUE INDEX IF NOT EXISTS device_uri_live ON device (uri)
    WHERE uri IS NOT NULL AND state <> 'decommissioned';

-- No new grants: V56 granted on the table device as a whole (pki_ca, pki_enroll, pki_admin,
-- pki_auditor), which covers columns added later; only device_enrollment_code has column grants.
