-- CRLs are made, signed and stored by the CA service (it numbers them in the transaction that
-- stores them); the CRL publisher asks the CA over its API, holds the publisher lock and serves
-- what is stored. It reads the CRL tables and writes none.
REVOKE INSERT ON crl FROM pki_crl;
REVOKE INSERT, UPDATE ON crl_counter FROM pki_crl;
