package org.medpki.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The responses in memory: bounded, and answers for serials never issued kept apart from real ones. */
class ResponseCacheTest {
    private static final Instant NOW = Instant.parse("2026-12-06T08:00:00Z");

    private static SignedResponse response(CertState state, int marker) {
        return SignedResponse.of(new byte[] {(byte) marker}, state, 1, NOW, NOW.plusSeconds(86_400));
    }

    private static ResponseKey key(long serial) {
        return new ResponseKey(7, BigInteger.valueOf(serial), CertIdHash.SHA1);
    }

    @Test
    void aFloodOfUnknownSerialsEvictsNoResponseOfARealCertificate() {
        ResponseCache cache = new ResponseCache(256);
        for (int i = 0; i < 256; i++) {
            cache.put(key(i), response(CertState.GOOD, i));
        }
        for (long i = 1_000_000; i < 1_100_000; i++) {
            cache.put(key(i), response(CertState.UNKNOWN, 0));
            cache.remember(ByteBuffer.wrap(BigInteger.valueOf(i).toByteArray()), key(i));
        }
        for (int i = 0; i < 256; i++) {
            assertThat(cache.get(key(i))).as("serial " + i).isNotNull();
            assertThat(cache.get(key(i)).state()).isEqualTo(CertState.GOOD);
        }
        assertThat(cache.size()).isEqualTo(256);
        // The last unknown answers are still served from memory, a bounded number of them.
        assertThat(cache.get(key(1_099_999))).isNotNull();
        assertThat(cache.forRequest(ByteBuffer.wrap(BigInteger.valueOf(1_099_999).toByteArray()))).isNull();
    }

    @Test
    void aSerialIssuedAfterItsUnknownAnswerGetsItsRealAnswer() {
        ResponseCache cache = new ResponseCache(256);
        cache.put(key(5), response(CertState.UNKNOWN, 1));
        cache.put(key(5), response(CertState.GOOD, 2));
        assertThat(cache.get(key(5)).state()).isEqualTo(CertState.GOOD);
        cache.remove(key(5));
        assertThat(cache.get(key(5))).isNull();
    }

    @Test
    void realResponsesStayBoundedWhenFull() {
        ResponseCache cache = new ResponseCache(64);
        for (int i = 0; i < 1000; i++) {
            cache.put(key(i), response(CertState.GOOD, i));
        }
        assertThat(cache.size()).isLessThanOrEqualTo(64);
        assertThat(cache.get(key(999))).isNotNull();
    }
}
