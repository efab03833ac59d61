package org.medpki.hsm;

import java.util.ArrayList;
import java.util.List;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.Slot;
import org.xipki.pkcs11.wrapper.TokenInfo;

/**
 * Finds the slot of a token by its label, for code that then opens the token through another
 * PKCS#11 binding (the JDK's SunPKCS11, whose configuration names a slot but not a label). Slot
 * ids are not stable across token initialisation, so a label is what people can name.
 */
public final class TokenSlots {
    private TokenSlots() {
    }

    /**
     * The slot id of the one token labelled {@code label} in the module at {@code modulePath}.
     * The module is released again before this returns (finalised if nobody else in this process
     * uses it), so that the other binding initialises it afresh.
     */
    public static long slotOf(String modulePath, String label) {
        ModuleHandle module = ModuleHandle.acquire(modulePath);
        try {
            List<Long> matches = new ArrayList<>();
            List<String> seen = new ArrayList<>();
            module.shared().lock();
            try {
                for (Slot slot : module.module().getSlotList(true)) {
                    TokenInfo info;
                    try {
                        info = slot.getToken().getTokenInfo();
                    } catch (PKCS11Exception e) {
                        continue; // the token went away between the two calls
                    }
                    String found = info.getLabel().trim();
                    if (found.equals(label)) {
                        matches.add(slot.getSlotID());
                    } else if (!found.isEmpty()) {
                        seen.add("'" + found + "'");
                    }
                }
            } catch (PKCS11Exception e) {
                throw new PkiException(ErrorKind.TOKEN_UNAVAILABLE,
                        "the PKCS#11 module " + modulePath + " cannot list its tokens: " + e.getErrorName(), e);
            } finally {
                module.shared().unlock();
            }
            if (matches.isEmpty()) {
                throw new PkiException(ErrorKind.TOKEN_UNAVAILABLE, "no token labelled '" + label
                        + "' is present in the PKCS#11 module " + modulePath
                        + (seen.isEmpty() ? " (it has no initialised token)" : " (present: " + String.join(", ", seen) + ")"));
            }
            if (matches.size() > 1) {
                throw new PkiException(ErrorKind.CONFIGURATION, matches.size() + " tokens in " + modulePath
                        + " are labelled '" + label + "'; name a token whose label is unique");
            }
            return matches.getFirst();
        } finally {
            module.release();
        }
    }
}
