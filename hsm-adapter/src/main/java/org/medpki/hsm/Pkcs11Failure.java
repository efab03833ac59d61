package org.medpki.hsm;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.*;

import java.util.Map;
import org.xipki.pkcs11.wrapper.PKCS11Exception;

/**
 * What a PKCS#11 error code means for the adapter: whether the session (or the whole token or
 * library) is gone and worth one reconnect-and-retry, whether a cached object handle went stale,
 * or whether the PIN was refused. The codes are data, in one table.
 */
enum Pkcs11Failure {
    /** The session, login, token or library went away: discard sessions, reconnect, retry once. */
    SESSION_LOST,
    /** A cached object handle no longer names the object: look the key up again, retry once. */
    STALE_HANDLE,
    /** The token refused the PIN or has locked it. */
    LOGIN_REFUSED,
    /** Anything else: a real failure of this operation. */
    OTHER;

    private static final Map<Long, Pkcs11Failure> BY_CODE = Map.ofEntries(
            Map.entry(CKR_SESSION_HANDLE_INVALID, SESSION_LOST),
            Map.entry(CKR_SESSION_CLOSED, SESSION_LOST),
            Map.entry(CKR_DEVICE_REMOVED, SESSION_LOST),
            Map.entry(CKR_DEVICE_ERROR, SESSION_LOST),
            Map.entry(CKR_TOKEN_NOT_PRESENT, SESSION_LOST),
            Map.entry(CKR_TOKEN_NOT_RECOGNIZED, SESSION_LOST),
            Map.entry(CKR_SLOT_ID_INVALID, SESSION_LOST),
            Map.entry(CKR_USER_NOT_LOGGED_IN, SESSION_LOST),
            Map.entry(CKR_CRYPTOKI_NOT_INITIALIZED, SESSION_LOST),
            Map.entry(CKR_OBJECT_HANDLE_INVALID, STALE_HANDLE),
            Map.entry(CKR_KEY_HANDLE_INVALID, STALE_HANDLE),
            Map.entry(CKR_PIN_INCORRECT, LOGIN_REFUSED),
            Map.entry(CKR_PIN_INVALID, LOGIN_REFUSED),
            Map.entry(CKR_PIN_LEN_RANGE, LOGIN_REFUSED),
            Map.entry(CKR_PIN_LOCKED, LOGIN_REFUSED),
            Map.entry(CKR_PIN_EXPIRED, LOGIN_REFUSED));

    static Pkcs11Failure of(PKCS11Exception e) {
        return BY_CODE.getOrDefault(e.getErrorCode(), OTHER);
    }
}
