package org.medpki.device;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.revocation.RevocationReason;

/**
 * A {@link DeviceEnrollment} whose calls each run on a virtual thread of their own, whichever
 * thread asks: the front ends call from Vert.x worker threads, where the inventory's blocking
 * calls (Vert.x futures awaited) are not allowed, while a virtual thread may wait on them.
 */
public final class OnVirtualThreads implements DeviceEnrollment, AutoCloseable {
    private final DeviceEnrollment target;
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("device-enrollment-", 0).factory());

    public OnVirtualThreads(DeviceEnrollment target) {
        this.target = target;
    }

    @Override
    public Enrolled enrollWithCode(Protocol protocol, String serial, String code, byte[] csr) {
        return call(() -> target.enrollWithCode(protocol, serial, code, csr));
    }

    @Override
    public Enrolled enrollWithManufacturerCertificate(Protocol protocol, List<X509Certificate> chain, byte[] csr) {
        return call(() -> target.enrollWithManufacturerCertificate(protocol, chain, csr));
    }

    @Override
    public Enrolled reenroll(Protocol protocol, X509Certificate current, byte[] csr) {
        return call(() -> target.reenroll(protocol, current, csr));
    }

    @Override
    public Optional<byte[]> macSecret(String serial) {
        return call(() -> target.macSecret(serial));
    }

    @Override
    public void revoke(Protocol protocol, X509Certificate current, BigInteger serial, RevocationReason reason) {
        call(() -> {
            target.revoke(protocol, current, serial, reason);
            return null;
        });
    }

    @Override
    public List<X509Certificate> caCertificates() {
        return call(target::caCertificates);
    }

    @Override
    public void authenticationFailed(Protocol protocol, String claimed, String reason) {
        call(() -> {
            target.authenticationFailed(protocol, claimed, reason);
            return null;
        });
    }

    private <T> T call(Callable<T> work) {
        try {
            return threads.submit(work).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new PkiException(ErrorKind.INTERNAL, "a device enrollment call failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PkiException(ErrorKind.INTERNAL, "a device enrollment call was interrupted", e);
        }
    }

    @Override
    public void close() {
        threads.shutdown();
    }
}
