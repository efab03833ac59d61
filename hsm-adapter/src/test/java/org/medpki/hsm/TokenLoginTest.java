package org.medpki.hsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * Start-up failures against the real token. PKCS#11 login is per process, so this class keeps no
 * other adapter open while it offers a wrong PIN (a logged-in process is not asked for the PIN).
 */
class TokenLoginTest {

    @Test
    void wrongPinIsTokenLoginFailedAndNeverShowsThePin() {
        String wrong = TestToken.pin() + "-wrong";
        PinSource pin = new PinSource.Given(wrong.toCharArray());

        assertThatThrownBy(() -> new Pkcs11SigningKeys(new TokenConfig(TestToken.module(), TestToken.LABEL, pin, 2)))
                .isInstanceOfSatisfying(PkiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.TOKEN_LOGIN_FAILED);
                    assertThat(e.detail()).isEqualTo("the token '" + TestToken.LABEL + "' refused the PIN");
                    String everything = stackTrace(e);
                    assertThat(everything).doesNotContain(wrong).doesNotContain(TestToken.pin());
                });
    }

    @Test
    void rightPinAfterAWrongOneWorks() {
        try (Pkcs11SigningKeys keys = new Pkcs11SigningKeys(TestToken.config(1))) {
            assertThat(keys.token().label()).isEqualTo(TestToken.LABEL);
        }
    }

    @Test
    void unknownTokenLabelIsTokenUnavailableNamingTheLabel() {
        String label = TestToken.uniqueLabel("no-such-token");

        assertThatThrownBy(() -> new Pkcs11SigningKeys(new TokenConfig(TestToken.module(), label,
                new PinSource.Environment(TestToken.PIN_VARIABLE), 2)))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.TOKEN_UNAVAILABLE))
                .hasMessageContaining("'" + label + "'").hasMessageContaining(TestToken.module());
    }

    @Test
    void missingModuleIsTokenUnavailableNamingThePath() {
        TestToken.module();
        String path = "/nonexistent/lib" + TestToken.uniqueLabel("pkcs11") + ".so";

        assertThatThrownBy(() -> new Pkcs11SigningKeys(new TokenConfig(path, TestToken.LABEL,
                new PinSource.Environment(TestToken.PIN_VARIABLE), 2)))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.TOKEN_UNAVAILABLE))
                .hasMessageContaining(path);
    }

    @Test
    void closedAdapterRefusesWork() {
        Pkcs11SigningKeys keys = new Pkcs11SigningKeys(TestToken.config(1));
        keys.close();
        keys.close();

        assertThatThrownBy(keys::labels)
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.TOKEN_UNAVAILABLE));
    }

    private static String stackTrace(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out + " " + t;
    }
}
