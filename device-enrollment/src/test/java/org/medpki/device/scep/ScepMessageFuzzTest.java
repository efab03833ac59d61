package org.medpki.device.scep;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import org.medpki.device.InMemoryDeviceEnrollment;

/**
 * Fuzzes {@link ScepResponder#pkiOperation} with arbitrary bytes as the pkiMessage, against the
 * in-memory enrollment with one registered device. The only accepted outcomes are a 400 text
 * answer (unreadable) or a 200 CertRep (a refusal), never a 5xx, and no certificate is ever
 * issued: the fuzzer cannot produce a message enveloped to the RA and signed. Anything thrown out
 * of pkiOperation is a finding. Seeds: ScepMessageFuzzTestInputs/.
 */
class ScepMessageFuzzTest {
    private static final InMemoryDeviceEnrollment ENROLLMENT = new InMemoryDeviceEnrollment();
    private static final ScepResponder RESPONDER = responder();

    private static ScepResponder responder() {
        try {
            ENROLLMENT.register("DEV-1", "code-one");
            KeyPair raKey = ScepTestClient.rsa();
            X509Certificate ra = ScepServerTest.raCertificate(raKey, "SCEP RA");
            ScepConfig config = ScepConfig.of("127.0.0.1", 0, ra, raKey.getPrivate(), null);
            return new ScepResponder(ENROLLMENT, config,
                    new ScepTransactions(Duration.ofMinutes(5), 1000, Clock.systemUTC()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "15s")
    void pkiOperation(byte[] data) {
        ScepResponder.Answer answer = RESPONDER.pkiOperation(data);
        if (answer.status() != 200 && answer.status() != 400) {
            throw new AssertionError("HTTP status " + answer.status());
        }
        if (answer.body() == null || answer.body().length == 0) {
            throw new AssertionError("an empty answer");
        }
        if (!ENROLLMENT.device("DEV-1").certificates().isEmpty()) {
            throw new AssertionError("a certificate was issued");
        }
    }
}
