package org.medpki.hsm;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_SESSION_HANDLE_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_USER_ALREADY_LOGGED_IN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_USER_NOT_LOGGED_IN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKS_RO_USER_FUNCTIONS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKS_RW_USER_FUNCTIONS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKU_USER;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.keys.TokenDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.Slot;
import org.xipki.pkcs11.wrapper.Token;
import org.xipki.pkcs11.wrapper.TokenInfo;

/**
 * A bounded pool of logged-in read/write sessions on the token with one label. At most
 * {@code size} sessions exist and are in use at once; a caller borrows one for one operation and
 * gives it back in {@code finally}. After a session loss the adapter calls {@link #invalidate}; the
 * next {@link #connect} finds the token by label again (its slot id may have changed), and sessions
 * of the old connection are closed instead of reused.
 */
final class SessionPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionPool.class);
    private static final Duration BORROW_TIMEOUT = Duration.ofSeconds(60);

    /** What one connection to the token knows; {@code generation} identifies it. */
    record Connection(Token token, TokenDescription description, MechanismTable mechanisms,
                      long moduleEpoch, long generation) {
    }

    /** A borrowed session and the connection it belongs to. */
    record Lease(Session session, Connection connection) {
    }

    @FunctionalInterface
    interface Work<T> {
        T run(Lease lease) throws PKCS11Exception;
    }

    private final ModuleHandle module;
    private final String tokenLabel;
    private final PinSource pin;
    private final int size;
    private final Semaphore permits;
    private final ConcurrentLinkedDeque<Lease> idle = new ConcurrentLinkedDeque<>();
    private final Object connectLock = new Object();
    private volatile Connection connection; // null: find the token again before the next use
    private volatile boolean closed;
    private long generation; // guarded by connectLock
    private boolean connectedBefore; // guarded by connectLock

    SessionPool(ModuleHandle module, String tokenLabel, PinSource pin, int size) {
        this.module = module;
        this.tokenLabel = tokenLabel;
        this.pin = pin;
        this.size = size;
        this.permits = new Semaphore(size, true);
    }

    int size() {
        return size;
    }

    /**
     * The current connection, finding the token by label when there is none. When the token is
     * missing, the module is re-initialised once and looked at again (most libraries only see a
     * returning token after C_Initialize). Call without holding the module's shared lock.
     */
    Connection connect() {
        Connection current = connection;
        if (current != null && current.moduleEpoch() == module.epoch()) {
            return current;
        }
        synchronized (connectLock) {
            if (closed) {
                throw new PkiException(ErrorKind.TOKEN_UNAVAILABLE, "the signing keys of token '" + tokenLabel + "' are closed");
            }
            current = connection;
            if (current != null && current.moduleEpoch() == module.epoch()) {
                return current;
            }
            long seenEpoch = module.epoch();
            Connection found = null;
            try {
                found = find();
            } catch (PKCS11Exception e) {
                LOG.warn("looking for token '{}' in {} failed: {}", tokenLabel, module.path(), e.getErrorName());
            }
            // Also on a first look: SoftHSM2 lists the tokens whose files it could read at
            // C_Initialize, and a token another process was rewriting at that instant is missing
            // from that list until the module is initialised again.
            if (found == null) {
                if (!connectedBefore) {
                    pause(); // give a rewrite in progress its few milliseconds
                }
                module.reinitialize(seenEpoch, connectedBefore);
                try {
                    found = find();
                } catch (PKCS11Exception e) {
                    throw new PkiException(ErrorKind.TOKEN_UNAVAILABLE, "the PKCS#11 module " + module.path()
                            + " cannot list its tokens: " + e.getErrorName(), e);
                }
            }
            if (found == null) {
                throw new PkiException(ErrorKind.TOKEN_UNAVAILABLE,
                        "no token labelled '" + tokenLabel + "' is present in the PKCS#11 module " + module.path());
            }
            closeIdle();
            connection = found;
            if (connectedBefore) {
                LOG.info("reconnected to token '{}' in slot {}", tokenLabel, found.description().slotId());
            }
            connectedBefore = true;
            return found;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs {@code work} on a borrowed, logged-in session of {@code c}; the session goes back afterwards. */
    <T> T run(Connection c, Work<T> work) throws PKCS11Exception {
        acquirePermit();
        try {
            Lock shared = module.shared();
            shared.lock();
            try {
                if (module.epoch() != c.moduleEpoch()) {
                    // The library was re-initialised since c was made: its handles mean nothing now.
                    throw new PKCS11Exception(CKR_SESSION_HANDLE_INVALID, "PKCS#11 module re-initialised");
                }
                Lease lease = take(c);
                boolean reusable = false;
                try {
                    T result = work.run(lease);
                    reusable = true;
                    return result;
                } catch (PkiException e) {
                    reusable = true; // our own verdict between calls; the session is fine
                    throw e;
                } finally {
                    giveBack(lease, reusable);
                }
            } finally {
                shared.unlock();
            }
        } finally {
            permits.release();
        }
    }

    /** Forgets connection {@code c} after it failed; the next {@link #connect} starts afresh. */
    void invalidate(Connection c) {
        synchronized (connectLock) {
            if (connection == c) {
                connection = null;
                closeIdle();
            }
        }
    }

    @Override
    public void close() {
        synchronized (connectLock) {
            closed = true;
            connection = null;
            closeIdle();
        }
    }

    private Connection find() throws PKCS11Exception {
        Lock shared = module.shared();
        shared.lock();
        try {
            List<Connection> matches = new ArrayList<>();
            for (Slot slot : module.module().getSlotList(true)) {
                Token token = slot.getToken();
                TokenInfo info;
                try {
                    info = token.getTokenInfo();
                } catch (PKCS11Exception e) {
                    continue; // a slot whose token went away between the two calls
                }
                if (!tokenLabel.equals(info.getLabel().trim())) {
                    continue;
                }
                Set<Long> mechanisms = new HashSet<>();
                for (long m : token.getMechanismList()) {
                    mechanisms.add(m);
                }
                String manufacturer = info.getManufacturerID().trim();
                matches.add(new Connection(token,
                        new TokenDescription(module.path(), tokenLabel, manufacturer, info.getModel().trim(),
                                info.getSerialNumber().trim(), slot.getSlotID()),
                        MechanismTable.forToken(mechanisms, manufacturer), module.epoch(), ++generation));
            }
            if (matches.size() > 1) {
                throw new PkiException(ErrorKind.CONFIGURATION, "token.label: " + matches.size()
                        + " tokens in " + module.path() + " are labelled '" + tokenLabel + "'; labels must be unique");
            }
            return matches.isEmpty() ? null : matches.getFirst();
        } finally {
            shared.unlock();
        }
    }

    private void acquirePermit() {
        try {
            if (!permits.tryAcquire(BORROW_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new PkiException(ErrorKind.TOKEN_UNAVAILABLE, "all " + size + " sessions to token '"
                        + tokenLabel + "' stayed busy for " + BORROW_TIMEOUT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PkiException(ErrorKind.TOKEN_UNAVAILABLE,
                    "interrupted while waiting for a session to token '" + tokenLabel + "'", e);
        }
    }

    /** An idle session of connection c, or a new logged-in one. Caller holds the shared lock. */
    private Lease take(Connection c) throws PKCS11Exception {
        Lease lease;
        while ((lease = idle.pollFirst()) != null) {
            if (lease.connection() == c) {
                return lease;
            }
            closeQuietly(lease.session());
        }
        Session session = c.token().openSession(true);
        try {
            login(session);
        } catch (PKCS11Exception | RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
        return new Lease(session, c);
    }

    /**
     * Fails with CKR_USER_NOT_LOGGED_IN (a lost session: reconnect, log in, retry) unless the
     * session is logged in as the user. PKCS#11 hides private objects from a session that is not:
     * after the token ended the login (a logout, a token-side timeout) a key search finds nothing
     * and a key handle is invalid, though the key is there. Called only on such a miss, so the
     * usual path costs no extra call.
     */
    static void requireLoggedIn(Session session) throws PKCS11Exception {
        long state = session.getSessionInfo().getState();
        if (state != CKS_RO_USER_FUNCTIONS && state != CKS_RW_USER_FUNCTIONS) {
            throw new PKCS11Exception(CKR_USER_NOT_LOGGED_IN, "the session is no longer logged in");
        }
    }

    private void login(Session session) throws PKCS11Exception {
        char[] secret = pin.read();
        try {
            session.login(CKU_USER, secret);
        } catch (PKCS11Exception e) {
            // PKCS#11 login is per application: another session of ours is already logged in.
            if (e.getErrorCode() != CKR_USER_ALREADY_LOGGED_IN) {
                throw e;
            }
        } finally {
            Arrays.fill(secret, '\0');
        }
    }

    private void giveBack(Lease lease, boolean reusable) {
        // LIFO: the most recently used session goes out first.
        if (reusable && !closed && lease.connection() == connection) {
            idle.offerFirst(lease);
        } else {
            closeQuietly(lease.session());
        }
    }

    private void closeIdle() {
        Lock shared = module.shared();
        shared.lock();
        try {
            Lease lease;
            while ((lease = idle.pollFirst()) != null) {
                closeQuietly(lease.session());
            }
        } finally {
            shared.unlock();
        }
    }

    private static void closeQuietly(Session session) {
        try {
            session.closeSession();
        } catch (PKCS11Exception e) {
            LOG.debug("closing a PKCS#11 session: {}", e.getErrorName());
        }
    }
}
