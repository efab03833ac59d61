package org.medpki.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditChainTest {

    private final AuditChain chain = new AuditChain();
    private final Instant at = Instant.parse("2026-11-24T10:15:30.123456Z");

    @Test
    void canonicalJsonSortsKeysAndEscapes() {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("z", "last");
        details.put("a", "quote\" back\\ nl\n tab\t bell\u0007 é €");
        details.put("m", null);
        assertThat(AuditChain.canonicalJson(details))
                .isEqualTo("{\"a\":\"quote\\\" back\\\\ nl\\n tab\\t bell\\u0007 é €\",\"m\":null,\"z\":\"last\"}");
        assertThat(AuditChain.canonicalJson(Map.of())).isEqualTo("{}");
        // A lone surrogate is escaped, so it survives UTF-8 and stays distinct from '?'.
        assertThat(AuditChain.canonicalJson(Map.of("k", "\uD800"))).isEqualTo("{\"k\":\"\\ud800\"}");
    }

    @Test
    void theHashIsAFixedFunctionOfEveryField() {
        byte[] h = chain.hash(new byte[32], 1, at, "t", "a", "success", "{}");
        // Pinned (computed independently from the documented encoding): a change in the encoding
        // would make every existing log unverifiable.
        assertThat(HexFormat.of().formatHex(h))
                .isEqualTo("26279d129b15edbba5d678d89d369e7f9a31d03d70a248832828a53e25e09c6b");
        assertThat(chain.hash(new byte[32], 2, at, "t", "a", "success", "{}")).isNotEqualTo(h);
        assertThat(chain.hash(new byte[32], 1, at.plusNanos(1000), "t", "a", "success", "{}")).isNotEqualTo(h);
        assertThat(chain.hash(new byte[32], 1, at, "t", "a", "failure", "{}")).isNotEqualTo(h);
        byte[] otherPrev = new byte[32];
        otherPrev[31] = 1;
        assertThat(chain.hash(otherPrev, 1, at, "t", "a", "success", "{}")).isNotEqualTo(h);
    }

    @Test
    void lengthPrefixesKeepFieldBoundaries() {
        // Moving a character from one field to the next must change the hash.
        assertThat(chain.hash(new byte[32], 1, at, "ab", "c", "success", "{}"))
                .isNotEqualTo(chain.hash(new byte[32], 1, at, "a", "bc", "success", "{}"));
    }

    @Test
    void linkTruncatesToMicrosecondsAndMatches() {
        AuditEntry e = chain.link(1, chain.genesisHash(), AuditEvent.success(
                Instant.parse("2026-11-24T10:15:30.123456789Z"), "t", "a", Map.of("k", "v")));
        assertThat(e.at()).isEqualTo(at);
        assertThat(e.outcome()).isEqualTo("success");
        assertThat(e.details()).isEqualTo("{\"k\":\"v\"}");
        assertThat(chain.matches(e)).isTrue();
        AuditEntry edited = new AuditEntry(e.seq(), e.at(), e.type(), "mallory", e.outcome(), e.details(),
                e.prevHash(), e.hash());
        assertThat(chain.matches(edited)).isFalse();
    }

    @Test
    void checkpointPayloadIsDomainSeqHash() {
        byte[] hash = new byte[32];
        hash[0] = (byte) 0xff;
        byte[] payload = AuditChain.checkpointPayload(258, hash);
        assertThat(payload).hasSize(23 + 8 + 32);
        assertThat(new String(payload, 0, 23, java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("medpki-audit-checkpoint");
        assertThat(payload[23 + 6]).isEqualTo((byte) 1);
        assertThat(payload[23 + 7]).isEqualTo((byte) 2);
        assertThat(payload[31]).isEqualTo((byte) 0xff);
    }
}
