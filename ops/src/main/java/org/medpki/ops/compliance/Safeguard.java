package org.medpki.ops.compliance;

/** The HIPAA Security Rule technical safeguards (45 CFR 164.312) the report's checks are filed under. */
public enum Safeguard {
    ACCESS_CONTROL("164.312(a)", "Access control"),
    AUDIT_CONTROLS("164.312(b)", "Audit controls"),
    INTEGRITY("164.312(c)", "Integrity"),
    AUTHENTICATION("164.312(d)", "Person or entity authentication"),
    TRANSMISSION_SECURITY("164.312(e)", "Transmission security");

    private final String section;
    private final String title;

    Safeguard(String section, String title) {
        this.section = section;
        this.title = title;
    }

    public String section() {
        return section;
    }

    public String title() {
        return title;
    }
}
