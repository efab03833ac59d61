package org.medpki.hsm;

import iaik.pkcs.pkcs11.wrapper.CK_TOKEN_INFO;
import iaik.pkcs.pkcs11.wrapper.PKCS11;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.xipki.pkcs11.wrapper.PKCS11Module;

/**
 * Initialises a token in a free slot of a PKCS#11 module (SoftHSM2's, for a lab) and sets its
 * user PIN, run as a process of its own: {@code TokenInitialiser MODULE LABEL}, the SO PIN and the
 * user PIN as two lines on standard input - never as arguments, which any local user can read in
 * the process list. A process of its own because SoftHSM2 reads its token list once per process:
 * the process that then opens the token must not have loaded the module before the token existed.
 * Exit 0 when done; otherwise one line on standard error (without a PIN) and exit 1.
 */
public final class TokenInitialiser {
    private static final long CKF_TOKEN_INITIALIZED = 0x400L;
    private static final long CKF_RW_SESSION = 0x2L;
    private static final long CKF_SERIAL_SESSION = 0x4L;
    private static final long CKU_SO = 0L;
    private static final int LABEL_LENGTH = 32;

    private TokenInitialiser() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: TokenInitialiser MODULE LABEL (SO PIN and user PIN on standard input)");
            System.exit(2);
        }
        char[] soPin = null;
        char[] userPin = null;
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String so = in.readLine();
            String user = in.readLine();
            if (so == null || user == null || so.isEmpty() || user.isEmpty()) {
                throw new IllegalArgumentException("expected the SO PIN and the user PIN, one per line, on standard input");
            }
            soPin = so.toCharArray();
            userPin = user.toCharArray();
            initialise(args[0], args[1], soPin, userPin);
            System.exit(0);
        } catch (Exception e) {
            System.err.println("could not initialise the token '" + args[1] + "': " + e.getMessage());
            System.exit(1);
        } finally {
            if (soPin != null) {
                Arrays.fill(soPin, '\0');
            }
            if (userPin != null) {
                Arrays.fill(userPin, '\0');
            }
        }
    }

    static void initialise(String modulePath, String label, char[] soPin, char[] userPin) throws Exception {
        if (label.isEmpty() || label.length() > LABEL_LENGTH) {
            throw new IllegalArgumentException("a token label has 1 to 32 characters");
        }
        PKCS11Module module = PKCS11Module.getInstance(modulePath);
        module.initialize();
        PKCS11 p11 = module.getPKCS11Module();
        try {
            long slot = freeSlot(p11);
            char[] padded = Arrays.copyOf(label.toCharArray(), LABEL_LENGTH);
            Arrays.fill(padded, label.length(), LABEL_LENGTH, ' ');
            p11.C_InitToken(slot, soPin, padded, true);
            long session = p11.C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, null, null);
            try {
                p11.C_Login(session, CKU_SO, soPin, true);
                p11.C_InitPIN(session, userPin, true);
                p11.C_Logout(session);
            } finally {
                p11.C_CloseSession(session);
            }
        } finally {
            module.finalize(null);
        }
    }

    /** The first slot whose token is present but not initialised (SoftHSM2 always offers one). */
    private static long freeSlot(PKCS11 p11) throws Exception {
        for (long slot : p11.C_GetSlotList(true)) {
            CK_TOKEN_INFO info = p11.C_GetTokenInfo(slot);
            if ((info.flags & CKF_TOKEN_INITIALIZED) == 0) {
                return slot;
            }
        }
        throw new IllegalStateException("the module has no free slot with an uninitialised token");
    }
}
