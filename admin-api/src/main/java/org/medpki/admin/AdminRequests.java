package org.medpki.admin;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Requests that need approval before they run (dual control), their approvals and, for a
 * revocation, its certificates (items): the admin_request tables. Each method is atomic.
 */
public interface AdminRequests {
    /** A certificate a request acts on. */
    record Item(long caId, BigInteger serial) {
    }

    /** A request as stored; {@code approvals} and {@code rejections} name the administrators. */
    record Request(String id, String kind, String state, String requester, String reason, int approvalsRequired,
                   int itemCount, int itemsDone, Instant createdAt, Instant expiresAt, List<String> approvals,
                   List<String> rejections) {
        public Request {
            approvals = List.copyOf(approvals);
            rejections = List.copyOf(rejections);
        }
    }

    /** Stores a new request in {@code state} (pending-approval, or running when it needs no approval) with its items. */
    void create(Request request, List<Item> items);

    Optional<Request> request(String id);

    /** The requests in {@code state} (all when null), newest first, at most {@code limit}. */
    List<Request> requests(String state, int limit);

    /**
     * Records {@code admin}'s decision on a pending request, atomically: a rejection ends it
     * (rejected); the approval that reaches the required number starts it (running). Returns the
     * request as it is afterwards. CONFLICT when the request is no longer pending or this
     * administrator decided on it already; the caller has checked roles and authorship.
     */
    Request decide(String id, String admin, boolean approve, Instant now);

    /** Pending requests past their expiry become expired; returns how many. */
    int expire(Instant now);

    /** The ids of running requests, oldest first (to resume after a restart). */
    List<String> running();

    /** Up to {@code limit} items of the request not done yet. */
    List<Item> openItems(String id, int limit);

    /** The item is done ({@code outcome}: revoked or already-revoked). */
    void itemDone(String id, Item item, String outcome);

    /** A running request whose items are all done becomes done; true if it did. */
    boolean finishIfComplete(String id);

    /**
     * Stores a new request without items whose action is its payload (a JSON object, e.g. the CA
     * of a ca-revocation request), in {@code request.state()}.
     */
    void createWithPayload(Request request, String payloadJson);

    /** The payload (JSON object text) of a request, if it has one. */
    Optional<String> payload(String id);
}
