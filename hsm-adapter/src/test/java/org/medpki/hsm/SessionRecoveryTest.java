package org.medpki.hsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
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
 * Sessions, login and the library taken away behind the pool's back, through a second wrapper
 * instance on the same library (PKCS#11 state is per process, so it hits the adapter's sessions).
 */
class SessionRecoveryTest {
    private Pkcs11SigningKeys keys;
    private PKCS11Module outsider;

    @BeforeEach
    void open() throws Exception {
        keys = new Pkcs11SigningKeys(TestToken.config(3));
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
    void signsAgainAfterAllSessionsWereClosedBehindItsBack() throws Exception {
        String label = TestToken.uniqueLabel("lost");
        KeyPairInfo info = keys.generate(KeyAlgorithm.EC_P256, label);
        signAndVerify(info); // fills the pool and the key handle cache

        outsider.getPKCS11Module().C_CloseAllSessions(keys.token().slotId());

        signAndVerify(info);
        signAndVerify(info);
        assertThat(keys.protection(label).isHardwareProtected()).isTrue();
    }

    @Test
    void aLoginEndedBehindItsBackIsNoMissingKey() throws Exception {
        String label = TestToken.uniqueLabel("logout");
        KeyPairInfo info = keys.generate(KeyAlgorithm.EC_P256, label);
        signAndVerify(info);

        // The sessions stay open but are no longer logged in: the private keys are hidden from them.
        var module = outsider.getPKCS11Module();
        long session = module.C_OpenSession(keys.token().slotId(), PKCS11Constants.CKF_SERIAL_SESSION, null, null);
        try {
            module.C_Logout(session);
        } finally {
            module.C_CloseSession(session);
        }

        signAndVerify(info);
        module.C_Logout(module.C_OpenSession(keys.token().slotId(), PKCS11Constants.CKF_SERIAL_SESSION, null, null));
        assertThat(keys.find(label)).isPresent();
        module.C_Logout(module.C_OpenSession(keys.token().slotId(), PKCS11Constants.CKF_SERIAL_SESSION, null, null));
        assertThat(keys.labels()).contains(label);
    }

    @Test
    void signsAgainAfterTheLibraryWasFinalizedBehindItsBack() throws Exception {
        String label = TestToken.uniqueLabel("final");
        KeyPairInfo info = keys.generate(KeyAlgorithm.RSA_2048, label);
        signAndVerify(info);

        outsider.finalize(null);

        signAndVerify(info);
        assertThat(keys.labels()).contains(label);
    }

    @Test
    void tokenAwayIsTokenUnavailableAndItsReturnIsPickedUp() throws Exception {
        String label = TestToken.uniqueLabel("away");
        KeyPairInfo info = keys.generate(KeyAlgorithm.EC_P384, label);
        signAndVerify(info);
        Path tokens = tokenDirectory();
        Path parked = Files.createTempDirectory(tokens.getParent(), "parked-tokens");
        List<Path> moved = new ArrayList<>();
        try {
            try (Stream<Path> list = Files.list(tokens)) {
                for (Path p : list.toList()) {
                    moved.add(Files.move(p, parked.resolve(p.getFileName()), StandardCopyOption.ATOMIC_MOVE));
                }
            }
            outsider.finalize(null); // SoftHSM reads its token directory at C_Initialize

            assertThatThrownBy(() -> keys.sign(label, SignatureAlgorithm.ECDSA_SHA384, new byte[10]))
                    .isInstanceOfSatisfying(PkiException.class,
                            e -> assertThat(e.kind()).isEqualTo(ErrorKind.TOKEN_UNAVAILABLE))
                    .hasMessageContaining(TestToken.LABEL);
            assertThatThrownBy(keys::labels).isInstanceOfSatisfying(PkiException.class,
                    e -> assertThat(e.kind()).isEqualTo(ErrorKind.TOKEN_UNAVAILABLE));
        } finally {
            for (Path p : moved) {
                Files.move(p, tokens.resolve(p.getFileName()), StandardCopyOption.ATOMIC_MOVE);
            }
            Files.delete(parked);
        }

        signAndVerify(info);
        assertThat(keys.token().label()).isEqualTo(TestToken.LABEL);
    }

    private void signAndVerify(KeyPairInfo info) {
        SignatureAlgorithm algorithm = info.algorithm().defaultSignatureAlgorithm();
        byte[] data = TestToken.randomData(200);
        byte[] signature = keys.sign(info.label(), algorithm, data);
        assertThat(TestToken.verifies(info.publicKey(), algorithm, data, signature)).isTrue();
    }

    /** directories.tokendir from the run's SoftHSM2 configuration. */
    private static Path tokenDirectory() throws IOException {
        TestToken.module();
        for (String line : Files.readAllLines(Path.of(System.getenv("SOFTHSM2_CONF")))) {
            String t = line.trim();
            if (t.startsWith("directories.tokendir")) {
                return Path.of(t.substring(t.indexOf('=') + 1).trim());
            }
        }
        throw new IllegalStateException("SOFTHSM2_CONF names no directories.tokendir");
    }
}
