package org.medpki.ocsp;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pre-signed responses in memory, bounded: by {@link ResponseKey}, and a second index from
 * the exact DER of a request to its key so that a repeated request (what stapling servers and
 * RFC 5019 clients send) is answered without parsing it. The second index only names a key, so a
 * re-signed response (revocation, refresh) is served at once to every request that maps to it.
 * When full, arbitrary entries are dropped: a dropped response is re-read from the inventory table
 * or re-signed on the next request.
 *
 * <p>Answers {@code unknown} (a serial this CA never issued) are kept apart, in a small map of their
 * own, and their requests are not indexed: anyone can ask for random serials, and those answers
 * must not push the responses of real certificates out of memory.
 */
public final class ResponseCache {
    private final int maxEntries;
    private final Map<ResponseKey, SignedResponse> responses;
    private final Map<ByteBuffer, ResponseKey> requests;
    private final int maxUnknown;
    private final Map<ResponseKey, SignedResponse> unknown;

    public ResponseCache(int maxEntries) {
        this.maxEntries = maxEntries;
        this.responses = new ConcurrentHashMap<>(Math.min(maxEntries, 1 << 16));
        this.requests = new ConcurrentHashMap<>(Math.min(maxEntries, 1 << 16));
        this.maxUnknown = Math.max(16, maxEntries / 16);
        this.unknown = new ConcurrentHashMap<>();
    }

    public SignedResponse get(ResponseKey key) {
        SignedResponse r = responses.get(key);
        return r != null ? r : unknown.get(key);
    }

    /** The response for a request seen before, or null. */
    public SignedResponse forRequest(ByteBuffer request) {
        ResponseKey key = requests.get(request);
        return key == null ? null : responses.get(key);
    }

    public void put(ResponseKey key, SignedResponse response) {
        if (response.state() instanceof CertState.Unknown) {
            if (unknown.size() >= maxUnknown && !unknown.containsKey(key)) {
                trim(unknown);
            }
            unknown.put(key, response);
            return;
        }
        unknown.remove(key);
        if (responses.size() >= maxEntries && !responses.containsKey(key)) {
            trim(responses);
        }
        responses.put(key, response);
    }

    /** Remembers that this request DER asks for that key (a copy of the bytes is kept). */
    public void remember(ByteBuffer request, ResponseKey key) {
        if (!responses.containsKey(key)) {
            return; // an unknown serial's request is not worth an entry
        }
        if (requests.size() >= maxEntries) {
            trim(requests);
        }
        requests.put(request, key);
    }

    public void remove(ResponseKey key) {
        responses.remove(key);
        unknown.remove(key);
    }

    public int size() {
        return responses.size();
    }

    public Iterable<Map.Entry<ResponseKey, SignedResponse>> entries() {
        return responses.entrySet();
    }

    /** Drops about a sixteenth of the entries. */
    private static <K, V> void trim(Map<K, V> map) {
        int drop = Math.max(1, map.size() / 16);
        Iterator<K> it = map.keySet().iterator();
        while (drop-- > 0 && it.hasNext()) {
            it.next();
            it.remove();
        }
    }
}
