package org.medpki.ocsp;

import java.math.BigInteger;
import org.medpki.core.inventory.Inventory;
import org.medpki.core.inventory.Notifications;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the inventory's announcements: a revocation re-signs that certificate's responses at
 * once (what makes 'revoked' visible within a second); an issuance pre-signs its first response.
 * Each channel is a subscription of its own (in PostgreSQL, its own connection and callback
 * thread), so a burst of issuances never delays a revocation. After an interrupted revocation
 * subscription, every revoked certificate is re-checked.
 */
public final class RevocationFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RevocationFollower.class);

    private final Notifications.Subscription revocations;
    private final Notifications.Subscription issuances;

    private RevocationFollower(Notifications.Subscription revocations, Notifications.Subscription issuances) {
        this.revocations = revocations;
        this.issuances = issuances;
    }

    public static RevocationFollower start(Notifications notifications, OcspResponder responder) {
        Notifications.Subscription r = notifications.subscribe(Inventory.REVOCATION_CHANNEL,
                payload -> apply(responder, payload, true), responder::recheckRevoked);
        Notifications.Subscription i;
        try {
            i = notifications.subscribe(Inventory.ISSUANCE_CHANNEL, payload -> apply(responder, payload, false),
                    () -> { });
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
        return new RevocationFollower(r, i);
    }

    private static void apply(OcspResponder responder, String payload, boolean revocation) {
        int colon = payload.indexOf(':');
        long caId;
        BigInteger serial;
        try {
            caId = Long.parseLong(payload.substring(0, colon));
            serial = new BigInteger(payload.substring(colon + 1), 16);
        } catch (RuntimeException e) {
            LOG.warn("ignoring a notification that is not <caId>:<serial hex>: {}", payload);
            return;
        }
        responder.certificateChanged(caId, serial, revocation);
    }

    /** True while both subscriptions are active. */
    public boolean isListening() {
        return revocations.isListening() && issuances.isListening();
    }

    @Override
    public void close() {
        revocations.close();
        issuances.close();
    }
}
