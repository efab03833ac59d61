package org.medpki.device.cmp;

import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * Enrollments waiting for their certConf, by transactionID: bounded in number (the oldest is
 * dropped, its certificate simply stays unconfirmed) and in time. A MAC secret kept here is
 * wiped when its entry leaves.
 */
final class CmpTransactions {

    /** What a certConf must match: the certificate, its request id, our nonce, and the protection to check and use. */
    record Pending(X509CertificateHolder certificate, java.math.BigInteger certReqId, byte[] senderNonce,
                   CmpProtection protection, String requester, Instant expires) {
    }

    private final int max;
    private final java.time.Duration ttl;
    private final Clock clock;
    private final LinkedHashMap<String, Pending> pending = new LinkedHashMap<>();

    CmpTransactions(int max, java.time.Duration ttl, Clock clock) {
        this.max = max;
        this.ttl = ttl;
        this.clock = clock;
    }

    static String key(byte[] transactionId) {
        return HexFormat.of().formatHex(transactionId);
    }

    synchronized boolean inUse(byte[] transactionId) {
        purge();
        return pending.containsKey(key(transactionId));
    }

    synchronized void put(byte[] transactionId, X509CertificateHolder cert, java.math.BigInteger certReqId,
                          byte[] senderNonce, CmpProtection protection, String requester) {
        purge();
        while (pending.size() >= max) {
            Iterator<Map.Entry<String, Pending>> it = pending.entrySet().iterator();
            wipe(it.next().getValue());
            it.remove();
        }
        pending.put(key(transactionId), new Pending(cert, certReqId, senderNonce, protection.retained(), requester,
                clock.instant().plus(ttl)));
    }

    /** The pending entry, left in place (a certConf that fails its checks may be sent again). */
    synchronized Pending get(byte[] transactionId) {
        purge();
        return pending.get(key(transactionId));
    }

    synchronized void remove(byte[] transactionId) {
        Pending p = pending.remove(key(transactionId));
        if (p != null) {
            wipe(p);
        }
    }

    synchronized int size() {
        purge();
        return pending.size();
    }

    private void purge() {
        Instant now = clock.instant();
        Iterator<Map.Entry<String, Pending>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Pending p = it.next().getValue();
            if (p.expires().isAfter(now)) {
                // Insertion order is expiry order: every later entry is younger.
                break;
            }
            wipe(p);
            it.remove();
        }
    }

    private static void wipe(Pending p) {
        p.protection().wipe();
    }
}
