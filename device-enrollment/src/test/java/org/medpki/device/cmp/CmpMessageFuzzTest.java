package org.medpki.device.cmp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.cmp.PKIBody;
import org.bouncycastle.asn1.cmp.PKIMessage;
import org.medpki.core.testpki.TestKeys;
import org.medpki.device.InMemoryDeviceEnrollment;
import org.medpki.listener.ListenerLimits;

/**
 * Fuzzes {@link CmpResponder#handle} with arbitrary bytes as the request body, against the
 * in-memory enrollment with one registered device. The only accepted outcomes are a 400 or 200
 * whose body is a DER PKIMessage (an error message unless the request was a harmless query such as
 * a genm or pkiconf), and no certificate is ever issued: the fuzzer cannot produce a valid MAC or
 * signature protection. Anything thrown out of handle is a finding. Seeds: CmpMessageFuzzTestInputs/.
 */
class CmpMessageFuzzTest {
    private static final InMemoryDeviceEnrollment ENROLLMENT = new InMemoryDeviceEnrollment();
    private static final CmpResponder RESPONDER = responder();

    private static CmpResponder responder() {
        try {
            ENROLLMENT.register("DEV-1", "code-one");
            KeyPair rootKey = TestKeys.freshEc("secp256r1");
            X509Certificate root = CmpTestSupport.cert("CN=CMP Fuzz Root,O=Test Hospital", rootKey, null, null, true);
            KeyPair signerKey = TestKeys.freshEc("secp256r1");
            X509Certificate signer = CmpTestSupport.cert("CN=MedPKI CMP,O=Test Hospital", signerKey, root, rootKey,
                    false);
            return new CmpResponder(ENROLLMENT, new CmpConfig("127.0.0.1", 0,
                    new CmpSigner(new X509Certificate[] {signer, root}, signerKey.getPrivate(), null),
                    ListenerLimits.DEFAULTS), Clock.systemUTC());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "15s")
    void pkiMessage(byte[] data) {
        CmpResponder.Reply reply = RESPONDER.handle(data);
        if (reply.httpStatus() != 200 && reply.httpStatus() != 400) {
            throw new AssertionError("HTTP status " + reply.httpStatus());
        }
        PKIMessage answer;
        try {
            answer = PKIMessage.getInstance(ASN1Primitive.fromByteArray(reply.body()));
        } catch (Exception e) {
            throw new AssertionError("the answer is not a DER PKIMessage", e);
        }
        int type = answer.getBody().getType();
        if (type == PKIBody.TYPE_INIT_REP || type == PKIBody.TYPE_CERT_REP || type == PKIBody.TYPE_KEY_UPDATE_REP) {
            throw new AssertionError("a certificate response to arbitrary bytes (body type " + type + ")");
        }
        if (!ENROLLMENT.device("DEV-1").certificates().isEmpty()) {
            throw new AssertionError("a certificate was issued");
        }
    }
}
