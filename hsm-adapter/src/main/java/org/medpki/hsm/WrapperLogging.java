package org.medpki.hsm;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.StaticLogger;

/**
 * Sends the PKCS#11 wrapper's own log lines (its licence banner, C_Initialize, C_OpenSession) to
 * SLF4J under the logger {@code org.xipki.pkcs11.wrapper}; left alone, it prints them to stdout.
 * Its placeholders are SLF4J's {@code {}}.
 */
final class WrapperLogging implements org.xipki.pkcs11.wrapper.Logger {
    private static final Logger LOG = LoggerFactory.getLogger("org.xipki.pkcs11.wrapper");
    private static volatile boolean installed;

    private WrapperLogging() {
    }

    /** Installs the bridge once; must run before the wrapper's first class initialisation. */
    static synchronized void install() {
        if (!installed) {
            StaticLogger.setLogger(new WrapperLogging());
            installed = true;
        }
    }

    @Override
    public void info(String format, Object... args) {
        LOG.info(format, args);
    }

    @Override
    public void warn(String format, Object... args) {
        LOG.warn(format, args);
    }

    @Override
    public void error(String format, Object... args) {
        LOG.error(format, args);
    }

    @Override
    public void debug(String format, Object... args) {
        LOG.debug(format, args);
    }

    @Override
    public void trace(String format, Object... args) {
        LOG.trace(format, args);
    }

    @Override
    public boolean isDebugEnabled() {
        return LOG.isDebugEnabled();
    }

    @Override
    public boolean isInfoEnabled() {
        return LOG.isInfoEnabled();
    }

    @Override
    public boolean isWarnEnabled() {
        return LOG.isWarnEnabled();
    }

    @Override
    public boolean isTraceEnabled() {
        return LOG.isTraceEnabled();
    }
}
