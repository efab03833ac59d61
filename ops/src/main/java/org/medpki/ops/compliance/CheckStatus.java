package org.medpki.ops.compliance;

import java.util.Locale;

/**
 * The outcome of one check. Only FAIL makes the report fail; INFO is evidence without a pass
 * mark (counts, dates); NOT_MEASURED says honestly that the data to measure does not exist yet.
 */
public enum CheckStatus {
    PASS, FAIL, INFO, NOT_MEASURED;

    /** pass, fail, info, not-measured: the JSON and text spelling. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
