package org.medpki.core.keys;

/**
 * The PKCS#11 attributes of a private key that show it cannot leave the token, as read back from
 * the token (not as requested). Evidence for auditors and a start-up check.
 */
public record KeyProtection(boolean token, boolean privateObject, boolean sensitive,
                            boolean alwaysSensitive, boolean extractable, boolean neverExtractable) {

    /** True when the key is a sensitive, non-extractable token object that was always so. */
    public boolean isHardwareProtected() {
        return token && privateObject && sensitive && alwaysSensitive && !extractable && neverExtractable;
    }
}
