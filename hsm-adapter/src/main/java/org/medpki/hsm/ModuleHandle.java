package org.medpki.hsm;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_CRYPTOKI_ALREADY_INITIALIZED;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11Module;

/**
 * One PKCS#11 library, loaded and initialised once per process (C_Initialize is process-wide, so
 * every adapter on the same library shares it) and finalised when its last user closes.
 *
 * <p>Every PKCS#11 call runs under the {@link #shared()} lock; re-initialising (C_Finalize then
 * C_Initialize, which is how most libraries notice a token that came back) takes the exclusive
 * lock, so it never overlaps a call in flight. Each re-initialisation starts a new {@link #epoch()}:
 * session and object handles from an older epoch are meaningless and may even have been reused.
 */
final class ModuleHandle {
    private static final Logger LOG = LoggerFactory.getLogger(ModuleHandle.class);
    private static final Map<String, ModuleHandle> LOADED = new HashMap<>(); // guarded by ModuleHandle.class

    private final String path;
    private final PKCS11Module module;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile long epoch;
    private int users; // guarded by ModuleHandle.class

    private ModuleHandle(String path, PKCS11Module module) {
        this.path = path;
        this.module = module;
    }

    /** The shared handle of the library at {@code path}, loading it on first use. */
    static ModuleHandle acquire(String path) {
        synchronized (ModuleHandle.class) {
            ModuleHandle handle = LOADED.get(path);
            if (handle == null) {
                handle = new ModuleHandle(path, load(path));
                LOADED.put(path, handle);
            }
            handle.users++;
            return handle;
        }
    }

    private static PKCS11Module load(String path) {
        WrapperLogging.install();
        if (!Files.isRegularFile(Path.of(path))) {
            throw new PkiException(ErrorKind.TOKEN_UNAVAILABLE,
                    "the PKCS#11 module " + path + " does not exist or is not a file");
        }
        try {
            PKCS11Module module = PKCS11Module.getInstance(path);
            initialize(module);
            return module;
        } catch (Exception | LinkageError e) {
            throw new PkiException(ErrorKind.TOKEN_UNAVAILABLE,
                    "the PKCS#11 module " + path + " could not be loaded: " + e, e);
        }
    }

    private static void initialize(PKCS11Module module) throws PKCS11Exception {
        try {
            module.initialize();
        } catch (PKCS11Exception e) {
            // Someone else in this process (another wrapper instance) initialised it: fine.
            if (e.getErrorCode() != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
                throw e;
            }
        }
    }

    String path() {
        return path;
    }

    PKCS11Module module() {
        return module;
    }

    /** Held around every PKCS#11 call. */
    Lock shared() {
        return lock.readLock();
    }

    /**
     * Held while nothing else may call the library. Besides re-initialising, for fault tests that
     * take sessions away: an in-process library such as SoftHSM2 frees a session that another
     * thread is signing with, which no HSM across a wire can do to us.
     */
    Lock exclusive() {
        return lock.writeLock();
    }

    long epoch() {
        return epoch;
    }

    /**
     * Finalises and re-initialises the library, unless another thread already did so since
     * {@code seenEpoch}. Must not be called while holding {@link #shared()}. {@code warn}: false
     * for a routine second look at a module (logged at debug), true when a token went away.
     */
    void reinitialize(long seenEpoch, boolean warn) {
        lock.writeLock().lock();
        try {
            if (epoch != seenEpoch) {
                return;
            }
            if (warn) {
                LOG.warn("re-initialising the PKCS#11 module {} to find its tokens again", path);
            } else {
                LOG.debug("re-initialising the PKCS#11 module {} to look for its tokens again", path);
            }
            epoch++;
            try {
                module.finalize(null);
            } catch (PKCS11Exception e) {
                LOG.debug("C_Finalize on {}: {}", path, e.getErrorName());
            }
            try {
                initialize(module);
            } catch (PKCS11Exception e) {
                throw new PkiException(ErrorKind.TOKEN_UNAVAILABLE,
                        "the PKCS#11 module " + path + " failed to initialise: " + e.getErrorName(), e);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Drops one user; the last one finalises the library (under the registry lock, so a new user waits for it). */
    void release() {
        synchronized (ModuleHandle.class) {
            if (--users > 0) {
                return;
            }
            LOADED.remove(path);
            lock.writeLock().lock();
            try {
                epoch++;
                module.finalize(null);
            } catch (PKCS11Exception e) {
                LOG.debug("C_Finalize on {}: {}", path, e.getErrorName());
            } finally {
                lock.writeLock().unlock();
            }
        }
    }
}
