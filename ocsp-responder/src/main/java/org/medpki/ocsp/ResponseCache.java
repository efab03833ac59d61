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
 */
public final class ResponseCache {
    private final int maxEntries;
    private final Map<ResponseKey, SignedResponse> responses;
    private final Map<ByteBuffer, ResponseKey> requests;

    public ResponseCache(int maxEntries) {
        this.maxEntries = maxEntries;
        this.responses = new ConcurrentHashMap<>(Math.min(maxEntries, 1 << 16));
        this.requests = new ConcurrentHashMap<>(Math.min(maxEntries, 1 << 16));
    }

    public SignedResponse get(ResponseKey key) {
        return responses.get(key);
    }

    /** The response for a request seen before, or null. */
    public SignedResponse forRequest(ByteBuffer request) {
        ResponseKey key = requests.get(request);
        return key == null ? null : responses.get(key);
    }

    public void put(ResponseKey key, SignedResponse response) {
        if (responses.size() >= maxEntries && !responses.containsKey(key)) {
            trim(responses);
        }
        responses.put(key, response);
    }

    /** Remembers that this request DER asks for that key (a copy of the bytes is kept). */
    public void remember(ByteBuffer request, ResponseKey key) {
        if (requests.size() >= maxEntries) {
            trim(requests);
        }
        requests.put(request, key);
    }

    public void remove(ResponseKey key) {
        responses.remove(key);
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
