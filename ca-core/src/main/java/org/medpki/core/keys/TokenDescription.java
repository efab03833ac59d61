package org.medpki.core.keys;

/** What the token says about itself: recorded in the ceremony's audit entry and in status. */
public record TokenDescription(String module, String label, String manufacturer, String model,
                               String serialNumber, long slotId) {
}
