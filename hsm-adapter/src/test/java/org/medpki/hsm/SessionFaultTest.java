package org.medpki.hsm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.keys.KeyAlgorithm;
import org.medpki.core.keys.KeyPairInfo;
import org.medpki.core.keys.SignatureAlgorithm;
import org.xipki.pkcs11.wrapper.PKCS11Constants;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11Module;

/**
 * Fault: the token's sessions closed and its login dropped again and again while several threads
 * sign. Through a second wrapper instance on the same library, as in {@link SessionRecoveryTest}
 * (PKCS#11 state is per process). Every signature released verifies with the key's public key;
 * a signing call that fails during the fault fails as a PkiException of a token kind; signing
 * works again on its own once the fault stops.
 */
class SessionFaultTest {
    private static final int SIGNERS = 6;
    private static final Duration FAULT = Duration.ofSeconds(4);
    private static final Duration BETWEEN_FAULTS = Duration.ofMillis(40);

    private Pkcs11SigningKeys keys;
    private PKCS11Module outsider;

    @BeforeEach
    void open() throws Exception {
        keys = new Pkcs11SigningKeys(TestToken.config(4));
        outsider = PKCS11Module.getInstance(TestToken.module());
        try {
            outsider.initialize();
        } catch (PKCS11Exception e) {
            assertThat(e.getErrorCode()).isEqualTo(PKCS11Constants.CKR_CRYPTOKI_ALREADY_INITIALIZED);
        }
    }

    @AfterEach
    void close() {
        keys.close();
    }

    @Test
    void sessionsClosedAndLoggedOutUnderSigningLoadReleaseOnlyValidSignaturesAndSigningResumes() throws Exception {
        KeyPairInfo ec = keys.generate(KeyAlgorithm.EC_P256, TestToken.uniqueLabel("fault-ec"));
        KeyPairInfo rsa = keys.generate(KeyAlgorithm.RSA_2048, TestToken.uniqueLabel("fault-rsa"));
        List<KeyPairInfo> signingKeys = List.of(ec, rsa);
        long slot = keys.token().slotId();

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong verifiedDuringFault = new AtomicLong();
        AtomicBoolean faultRunning = new AtomicBoolean(true);
        List<String> wrongSignatures = new CopyOnWriteArrayList<>();
        List<Throwable> unclean = new CopyOnWriteArrayList<>();
        Map<ErrorKind, AtomicLong> failures = new ConcurrentHashMap<>();
        AtomicLong failedAfterFault = new AtomicLong();
        AtomicLong verifiedAfterFault = new AtomicLong();

        ExecutorService pool = Executors.newFixedThreadPool(SIGNERS);
        try {
            List<Future<?>> signers = new java.util.ArrayList<>();
            for (int t = 0; t < SIGNERS; t++) {
                KeyPairInfo info = signingKeys.get(t % signingKeys.size());
                signers.add(pool.submit(() -> {
                    SignatureAlgorithm algorithm = info.algorithm().defaultSignatureAlgorithm();
                    while (!stop.get()) {
                        byte[] data = TestToken.randomData(100);
                        byte[] signature;
                        boolean startedAfterFault = !faultRunning.get();
                        try {
                            signature = keys.sign(info.label(), algorithm, data);
                        } catch (PkiException e) {
                            failures.computeIfAbsent(e.kind(), k -> new AtomicLong()).incrementAndGet();
                            if (startedAfterFault) {
                                failedAfterFault.incrementAndGet();
                            }
                            if (e.kind() != ErrorKind.TOKEN_UNAVAILABLE && e.kind() != ErrorKind.INTERNAL) {
                                unclean.add(e);
                            }
                            continue;
                        } catch (RuntimeException e) {
                            unclean.add(e);
                            continue;
                        }
                        if (TestToken.verifies(info.publicKey(), algorithm, data, signature)) {
                            (startedAfterFault ? verifiedAfterFault : verifiedDuringFault).incrementAndGet();
                        } else {
                            wrongSignatures.add(info.label());
                        }
                    }
                }));
            }

            // The fault: every session of the token closed (which also ends the login), and in
            // between the login dropped through a session of the outsider's own. Between two
            // PKCS#11 calls of the adapter, as a remote HSM loses them: SoftHSM2 runs in this
            // process and would free a session under a C_Sign in flight.
            long faults = 0;
            long end = System.nanoTime() + FAULT.toNanos();
            ModuleHandle module = ModuleHandle.acquire(TestToken.module());
            try {
                while (System.nanoTime() < end) {
                    module.exclusive().lock();
                    try {
                        if (faults % 2 == 0) {
                            outsider.getPKCS11Module().C_CloseAllSessions(slot);
                        } else {
                            logOutThroughASessionOfItsOwn(slot);
                        }
                    } finally {
                        module.exclusive().unlock();
                    }
                    faults++;
                    Thread.sleep(BETWEEN_FAULTS.toMillis());
                }
            } finally {
                module.release();
            }
            faultRunning.set(false);

            // Recovery: with no further fault, every signing call started from now on succeeds by itself.
            Thread.sleep(1500);
            stop.set(true);
            for (Future<?> f : signers) {
                f.get(60, TimeUnit.SECONDS);
            }
            System.out.printf("HSM fault: %d faults, %d signatures verified during them, %d after; failures %s%n",
                    faults, verifiedDuringFault.get(), verifiedAfterFault.get(), failures);
            assertThat(faults).as("the fault happened").isGreaterThan(10);
            assertThat(wrongSignatures).as("no signature that does not verify is released").isEmpty();
            assertThat(unclean).as("failures during the fault are PkiExceptions of a token kind").isEmpty();
            assertThat(verifiedDuringFault.get()).as("signing goes on between the faults").isPositive();
            assertThat(verifiedAfterFault.get()).as("signing resumes without help").isPositive();
            assertThat(failedAfterFault.get()).as("no call started after the fault fails: " + failures).isZero();
        } finally {
            stop.set(true);
            pool.shutdownNow();
            pool.awaitTermination(60, TimeUnit.SECONDS);
        }

        for (KeyPairInfo info : signingKeys) {
            SignatureAlgorithm algorithm = info.algorithm().defaultSignatureAlgorithm();
            byte[] data = TestToken.randomData(50);
            assertThat(TestToken.verifies(info.publicKey(), algorithm, data, keys.sign(info.label(), algorithm, data)))
                    .isTrue();
        }
    }

    /** PKCS#11 login is per application and token: logging out one session logs out all of ours. */
    private void logOutThroughASessionOfItsOwn(long slot) throws Exception {
        var module = outsider.getPKCS11Module();
        long session = module.C_OpenSession(slot, PKCS11Constants.CKF_SERIAL_SESSION, null, null);
        try {
            module.C_Logout(session);
        } catch (iaik.pkcs.pkcs11.wrapper.PKCS11Exception e) {
            // CKR_USER_NOT_LOGGED_IN: the previous fault's effect had not been repaired yet
        } finally {
            module.C_CloseSession(session);
        }
    }
}
