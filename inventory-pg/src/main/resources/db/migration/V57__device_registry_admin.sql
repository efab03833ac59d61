-- The admin API registers and decommissions devices (PKI operators), as the command line on the
-- CA host does: it writes devices and their codes' hash and sealed copy, and never reads a code.
GRANT INSERT, UPDATE ON device, device_enrollment_code TO pki_admin;
GRANT USAGE ON SEQUENCE device_id_seq TO pki_admin;
