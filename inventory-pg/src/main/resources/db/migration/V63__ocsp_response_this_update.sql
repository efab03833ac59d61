-- The OCSP refresher's minute-by-minute look-up reads the responses signed in a window of time
-- (old enough to re-sign, young enough to be still served) through this index, instead of every
-- valid certificate; the full look-up runs at start, after a signer rotation and every
-- ocsp.refreshAfter. Re-runnable (IF NOT EXISTS), like every migration after the logins.
CREATE INDEX IF NOT EXISTS ocsp_response_this_update ON ocsp_response (this_update);
