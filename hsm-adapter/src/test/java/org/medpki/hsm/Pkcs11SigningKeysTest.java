package org.medpki.hsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.keys.KeyAlgorithm;
import org.medpki.core.keys.KeyPairInfo;
import org.medpki.core.keys.KeyProtection;
import org.medpki.core.keys.SignatureAlgorithm;
import org.medpki.core.keys.TokenDescription;

/** Against the real SoftHSM2 token of ops/test. */
class Pkcs11SigningKeysTest {
    private static Pkcs11SigningKeys keys;

    @BeforeAll
    static void open() {
        keys = new Pkcs11SigningKeys(TestToken.config(4));
    }

    @AfterAll
    static void close() {
        if (keys != null) {
            keys.close();
        }
    }

    @Test
    void describesTheToken() {
        TokenDescription token = keys.token();

        assertThat(token.label()).isEqualTo(TestToken.LABEL);
        assertThat(token.module()).isEqualTo(TestToken.module());
        assertThat(token.manufacturer()).isEqualTo("SoftHSM project");
        assertThat(token.model()).startsWith("SoftHSM");
        assertThat(token.serialNumber()).isNotBlank();
        assertThat(keys.toString()).doesNotContain(TestToken.pin());
    }

    @ParameterizedTest
    @EnumSource(value = SignatureAlgorithm.class, names = {"ECDSA_SHA256", "ECDSA_SHA384", "RSA_PKCS1_SHA256",
            "RSA_PKCS1_SHA512", "RSA_PSS_SHA256", "RSA_PSS_SHA384"})
    void generatedKeysSignWhatTheJdkVerifies(SignatureAlgorithm algorithm) {
        KeyAlgorithm keyType = switch (algorithm) {
            case ECDSA_SHA256 -> KeyAlgorithm.EC_P256;
            case ECDSA_SHA384 -> KeyAlgorithm.EC_P384;
            default -> KeyAlgorithm.RSA_2048;
        };
        String label = TestToken.uniqueLabel("sign-" + algorithm.name().toLowerCase());
        KeyPairInfo info = keys.generate(keyType, label);
        byte[] data = TestToken.randomData(777);

        byte[] signature = keys.sign(label, algorithm, data);

        assertThat(info.label()).isEqualTo(label);
        assertThat(info.id()).hasSize(16);
        assertThat(info.algorithm()).isEqualTo(keyType);
        assertThat(TestToken.verifies(info.publicKey(), algorithm, data, signature)).isTrue();
        byte[] other = data.clone();
        other[0] ^= 1;
        assertThat(TestToken.verifies(info.publicKey(), algorithm, other, signature)).isFalse();
    }

    @Test
    void ecdsaSignatureIsDerForTheJdkToo() throws Exception {
        String label = TestToken.uniqueLabel("der");
        KeyPairInfo info = keys.generate(KeyAlgorithm.EC_P256, label);
        byte[] data = "to be signed".getBytes(StandardCharsets.UTF_8);

        byte[] signature = keys.sign(label, SignatureAlgorithm.ECDSA_SHA256, data);

        Signature jdk = Signature.getInstance("SHA256withECDSA"); // SunEC, DER input
        jdk.initVerify(info.publicKey());
        jdk.update(data);
        assertThat(jdk.verify(signature)).isTrue();
        assertThat(((ECPublicKey) info.publicKey()).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
    }

    @Test
    void rsa3072HasTheRequestedSizeAndExponent() {
        String label = TestToken.uniqueLabel("rsa3072");
        KeyPairInfo info = keys.generate(KeyAlgorithm.RSA_3072, label);
        byte[] data = TestToken.randomData(64);

        RSAPublicKey publicKey = (RSAPublicKey) info.publicKey();
        assertThat(publicKey.getModulus().bitLength()).isEqualTo(3072);
        assertThat(publicKey.getPublicExponent()).isEqualTo(java.math.BigInteger.valueOf(65537));
        assertThat(TestToken.verifies(publicKey, SignatureAlgorithm.RSA_PKCS1_SHA384, data,
                keys.sign(label, SignatureAlgorithm.RSA_PKCS1_SHA384, data))).isTrue();
    }

    @Test
    void ed25519WhenTheTokenHasItElseAClearError() {
        String label = TestToken.uniqueLabel("ed");
        if (!keys.supports(SignatureAlgorithm.ED25519)) {
            assertThatThrownBy(() -> keys.generate(KeyAlgorithm.ED25519, label))
                    .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION))
                    .hasMessageContaining("ED25519");
            return;
        }
        KeyPairInfo info = keys.generate(KeyAlgorithm.ED25519, label);
        byte[] data = TestToken.randomData(300);

        byte[] signature = keys.sign(label, SignatureAlgorithm.ED25519, data);

        assertThat(signature).hasSize(64);
        assertThat(info.publicKey().getAlgorithm()).isIn("Ed25519", "EdDSA");
        assertThat(TestToken.verifies(info.publicKey(), SignatureAlgorithm.ED25519, data, signature)).isTrue();
    }

    @Test
    void findAndLabelsSeeTheKeyWithTheSamePublicHalf() {
        String label = TestToken.uniqueLabel("find");
        KeyPairInfo generated = keys.generate(KeyAlgorithm.EC_P384, label);

        KeyPairInfo found = keys.find(label).orElseThrow();

        assertThat(found.algorithm()).isEqualTo(KeyAlgorithm.EC_P384);
        assertThat(found.id()).isEqualTo(generated.id());
        assertThat(found.publicKey().getEncoded()).isEqualTo(generated.publicKey().getEncoded());
        assertThat(keys.labels()).contains(label);
        assertThat(keys.find(TestToken.uniqueLabel("absent"))).isEmpty();
    }

    @Test
    void privateKeyIsSensitiveAndNeverExtractableAsTheTokenReportsIt() {
        String label = TestToken.uniqueLabel("prot");
        keys.generate(KeyAlgorithm.EC_P256, label);

        KeyProtection protection = keys.protection(label);

        assertThat(protection.token()).isTrue();
        assertThat(protection.privateObject()).isTrue();
        assertThat(protection.sensitive()).isTrue();
        assertThat(protection.alwaysSensitive()).isTrue();
        assertThat(protection.extractable()).isFalse();
        assertThat(protection.neverExtractable()).isTrue();
        assertThat(protection.isHardwareProtected()).isTrue();
    }

    @Test
    void pkcs11ToolSeesTheKeySensitiveAndNeverExtractable() throws Exception {
        String label = TestToken.uniqueLabel("tool");
        keys.generate(KeyAlgorithm.RSA_2048, label);

        String output = run("pkcs11-tool", "--module", TestToken.module(), "--token-label", TestToken.LABEL,
                "--login", "--pin", TestToken.pin(), "--list-objects", "--type", "privkey");

        // pkcs11-tool 0.23 prints one block per object: "Private Key Object; RSA", then indented
        // "label:", "ID:", "Usage:" and "Access:" lines.
        List<String> block = objectBlock(output, label);
        String access = block.stream().filter(l -> l.trim().startsWith("Access:")).findFirst()
                .orElseThrow(() -> new AssertionError("no Access line for " + label + " in:\n" + output));
        List<String> flags = Arrays.stream(access.substring(access.indexOf(':') + 1).split(","))
                .map(String::trim).toList();
        assertThat(flags).contains("sensitive", "always sensitive", "never extractable").doesNotContain("extractable");
        String usage = block.stream().filter(l -> l.trim().startsWith("Usage:")).findFirst().orElseThrow();
        assertThat(usage).contains("sign").doesNotContain("decrypt").doesNotContain("unwrap");
        assertThat(block.getFirst()).startsWith("Private Key Object; RSA");
    }

    @Test
    void aDestroyedKeyIsGoneFromTheTokenAsPkcs11ToolListsIt() throws Exception {
        String label = TestToken.uniqueLabel("retired");
        String kept = TestToken.uniqueLabel("kept");
        keys.generate(KeyAlgorithm.EC_P256, label);
        keys.generate(KeyAlgorithm.EC_P256, kept);
        keys.sign(label, SignatureAlgorithm.ECDSA_SHA256, new byte[] {1}); // a cached handle must not survive

        var destroyed = keys.destroy(label);

        assertThat(destroyed.objects()).as("private and public key").isGreaterThanOrEqualTo(2);
        assertThat(destroyed.tokenAnswer()).contains("CKR_OK").contains(label);
        assertThat(keys.find(label)).isEmpty();
        assertThat(keys.labels()).doesNotContain(label).contains(kept);
        String output = run("pkcs11-tool", "--module", TestToken.module(), "--token-label", TestToken.LABEL,
                "--login", "--pin", TestToken.pin(), "--list-objects");
        assertThat(output.lines().filter(l -> isLabelLine(l, label))).as(output).isEmpty();
        assertThat(output.lines().filter(l -> isLabelLine(l, kept))).as("the other key stays").hasSize(2);
        assertThatThrownBy(() -> keys.sign(label, SignatureAlgorithm.ECDSA_SHA256, new byte[1]))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.KEY_NOT_FOUND));
        assertThatThrownBy(() -> keys.destroy(label))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.KEY_NOT_FOUND))
                .hasMessageContaining(label);
    }

    @Test
    void duplicateLabelIsAConflict() {
        String label = TestToken.uniqueLabel("dup");
        keys.generate(KeyAlgorithm.EC_P256, label);

        assertThatThrownBy(() -> keys.generate(KeyAlgorithm.RSA_2048, label))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFLICT))
                .hasMessageContaining(label);
        assertThat(keys.labels().stream().filter(label::equals)).hasSize(1);
    }

    @Test
    void unknownKeyAndMismatchedAlgorithmAreClearErrors() {
        String absent = TestToken.uniqueLabel("absent");
        assertThatThrownBy(() -> keys.sign(absent, SignatureAlgorithm.ECDSA_SHA256, new byte[1]))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.KEY_NOT_FOUND))
                .hasMessageContaining(absent);
        assertThatThrownBy(() -> keys.protection(absent))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.KEY_NOT_FOUND));

        String ec = TestToken.uniqueLabel("ec");
        keys.generate(KeyAlgorithm.EC_P256, ec);
        assertThatThrownBy(() -> keys.sign(ec, SignatureAlgorithm.RSA_PKCS1_SHA256, new byte[1]))
                .isInstanceOfSatisfying(PkiException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.BAD_SIGNATURE_ALGORITHM))
                .hasMessageContaining(ec);
        assertThatThrownBy(() -> keys.generate(KeyAlgorithm.EC_P256, "bad\nlabel"))
                .isInstanceOfSatisfying(PkiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.MALFORMED));
    }

    @Test
    void eightThreadsSignTwoHundredTimesEachAndAllVerify() throws Exception {
        String label = TestToken.uniqueLabel("many");
        KeyPairInfo info = keys.generate(KeyAlgorithm.EC_P256, label);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    int good = 0;
                    for (int i = 0; i < 200; i++) {
                        byte[] data = TestToken.randomData(100);
                        byte[] signature = keys.sign(label, SignatureAlgorithm.ECDSA_SHA256, data);
                        if (TestToken.verifies(info.publicKey(), SignatureAlgorithm.ECDSA_SHA256, data, signature)) {
                            good++;
                        }
                    }
                    return good;
                }));
            }
            int total = 0;
            for (Future<Integer> result : results) {
                total += result.get();
            }
            assertThat(total).isEqualTo(1600);
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(1, TimeUnit.MINUTES);
        }
    }

    private static List<String> objectBlock(String output, String label) {
        List<String> block = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (!line.startsWith(" ") && !line.isBlank()) {
                if (block.stream().anyMatch(l -> isLabelLine(l, label))) {
                    return block;
                }
                block = new ArrayList<>();
            }
            block.add(line);
        }
        if (block.stream().anyMatch(l -> isLabelLine(l, label))) {
            return block;
        }
        throw new AssertionError("pkcs11-tool does not list " + label + ":\n" + output);
    }

    private static boolean isLabelLine(String line, String label) {
        String t = line.trim();
        return t.startsWith("label:") && t.substring("label:".length()).trim().equals(label);
    }

    /** Runs a command with its output captured (inheritIO would corrupt Surefire's channel). */
    static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        process.getInputStream().transferTo(out);
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(command[0] + " did not finish");
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(command[0] + " output:\n" + text).isZero();
        return text;
    }
}
