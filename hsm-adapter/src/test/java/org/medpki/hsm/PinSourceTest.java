package org.medpki.hsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

class PinSourceTest {
    private static final String SECRET = "s3cret-Pin-4711";

    @Test
    void environmentVariableGivesThePinAndHidesIt() {
        PinSource source = PinSource.fromEnvironment(Map.of("PKI_TOKEN_PIN", SECRET, "OTHER", "x"));

        assertThat(source).isInstanceOf(PinSource.Environment.class);
        assertThat(source.read()).containsExactly(SECRET.toCharArray());
        assertThat(source.toString()).contains("PKI_TOKEN_PIN").doesNotContain(SECRET);
    }

    @Test
    void fileWinsOverTheVariableAndLosesItsTrailingNewline(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pin");
        Files.writeString(file, SECRET + "\r\n", StandardCharsets.UTF_8);

        PinSource source = PinSource.fromEnvironment(
                Map.of("PKI_TOKEN_PIN_FILE", file.toString(), "PKI_TOKEN_PIN", "not-this-one"));

        assertThat(source).isInstanceOf(PinSource.File.class);
        assertThat(source.read()).containsExactly(SECRET.toCharArray());
        assertThat(source.toString()).contains(file.toString()).doesNotContain(SECRET);
    }

    @Test
    void innerSpacesAndNonAsciiSurvive(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pin");
        Files.writeString(file, " a b ü\n", StandardCharsets.UTF_8);

        assertThat(new PinSource.File(file).read()).containsExactly(" a b ü".toCharArray());
    }

    @Test
    void eachReadIsAFreshCopy() {
        PinSource source = new PinSource.Given(SECRET.toCharArray());
        char[] first = source.read();
        java.util.Arrays.fill(first, '\0');

        assertThat(source.read()).containsExactly(SECRET.toCharArray());
        assertThat(source.toString()).doesNotContain(SECRET);
    }

    @Test
    void missingPinNamesBothVariables() {
        assertThatThrownBy(() -> PinSource.fromEnvironment(Map.of()))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION))
                .hasMessageContaining("PKI_TOKEN_PIN_FILE").hasMessageContaining("PKI_TOKEN_PIN");
    }

    @Test
    void theOcspTokensPinComesFromItsOwnVariablesOnly(@TempDir Path dir) throws Exception {
        Map<String, String> caOnly = Map.of("PKI_TOKEN_PIN", "the-ca-pin");
        assertThatThrownBy(() -> PinSource.fromEnvironment(caOnly, PinSource.OCSP_PIN_VARIABLE,
                PinSource.OCSP_PIN_FILE_VARIABLE))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION))
                .hasMessageContaining("PKI_OCSP_TOKEN_PIN_FILE").hasMessageContaining("PKI_OCSP_TOKEN_PIN")
                .hasMessageNotContaining("the-ca-pin");

        PinSource variable = PinSource.fromEnvironment(Map.of("PKI_TOKEN_PIN", "the-ca-pin", "PKI_OCSP_TOKEN_PIN", SECRET),
                PinSource.OCSP_PIN_VARIABLE, PinSource.OCSP_PIN_FILE_VARIABLE);
        assertThat(variable.read()).containsExactly(SECRET.toCharArray());
        assertThat(variable.toString()).contains("PKI_OCSP_TOKEN_PIN").doesNotContain(SECRET);

        Path file = dir.resolve("ocsp-pin");
        Files.writeString(file, SECRET + "\n", StandardCharsets.UTF_8);
        PinSource fromFile = PinSource.fromEnvironment(Map.of("PKI_OCSP_TOKEN_PIN_FILE", file.toString(),
                "PKI_OCSP_TOKEN_PIN", "not-this-one", "PKI_TOKEN_PIN_FILE", "/nowhere"),
                PinSource.OCSP_PIN_VARIABLE, PinSource.OCSP_PIN_FILE_VARIABLE);
        assertThat(fromFile).isEqualTo(new PinSource.File(file));
    }

    @Test
    void unreadableOrEmptyFileIsAConfigurationError(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("absent");
        assertThatThrownBy(() -> new PinSource.File(missing).read())
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION))
                .hasMessageContaining(missing.toString());

        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> new PinSource.File(empty).read())
                .isInstanceOf(PkiException.class).hasMessageContaining("empty");
    }

    @Test
    void tokenConfigToStringCarriesNoPin() {
        TokenConfig config = new TokenConfig("/usr/lib/softhsm/libsofthsm2.so", "ca",
                new PinSource.Given(SECRET.toCharArray()), 3);

        assertThat(config.toString()).doesNotContain(SECRET);
        assertThat(new TokenConfig("/m.so", "ca", new PinSource.Given("1".toCharArray())).sessionPoolSize())
                .isEqualTo(2 * Runtime.getRuntime().availableProcessors());
    }

    @Test
    void tokenConfigRejectsBadValuesByName() {
        PinSource pin = new PinSource.Given(SECRET.toCharArray());
        assertThatThrownBy(() -> new TokenConfig(" ", "ca", pin, 2)).hasMessageContaining("token.module");
        assertThatThrownBy(() -> new TokenConfig("/m.so", "", pin, 2)).hasMessageContaining("token.label");
        assertThatThrownBy(() -> new TokenConfig("/m.so", "ca", pin, 0)).hasMessageContaining("token.sessions");
    }
}
