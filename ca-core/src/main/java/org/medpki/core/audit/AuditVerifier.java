package org.medpki.core.audit;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Checks the whole audit log: recomputes every entry's hash, follows the chain links, compares
 * the head marker and every checkpoint with the entries, and checks checkpoint signatures. It
 * names each problem by seq, so an auditor knows where to look: an edited entry fails its own
 * hash; a deleted entry leaves a gap; moved, swapped or re-hashed entries break the link from
 * their successor; a cut-off tail leaves the head marker or a checkpoint beyond the last entry.
 */
public final class AuditVerifier {

    private final AuditStore store;
    private final AuditChain chain = new AuditChain();

    public AuditVerifier(AuditStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * Verifies the log. With {@code auditKey} null, checkpoint signatures are not checked (their
     * hashes still are).
     */
    public AuditReport verify(PublicKey auditKey) {
        // Head and checkpoints first: entries appended while we stream then lie beyond both,
        // so a busy log never looks truncated.
        AuditHead head = store.headMarker();
        List<AuditCheckpoint> checkpoints = store.checkpoints();
        Map<Long, AuditCheckpoint> checkpointAt = new HashMap<>();
        checkpoints.forEach(c -> checkpointAt.put(c.seq(), c));

        Walk walk = new Walk(head, checkpointAt, auditKey);
        store.forEach(1, walk::accept);
        walk.finish();
        return new AuditReport(walk.problems.isEmpty(), walk.count, Optional.ofNullable(walk.oldest),
                Optional.ofNullable(walk.previous), walk.checkpointsVerified, walk.problems);
    }

    /** State of one pass over the entries. */
    private final class Walk {
        private final AuditHead head;
        private final Map<Long, AuditCheckpoint> checkpointAt;
        private final PublicKey auditKey;
        private final List<String> problems = new ArrayList<>();
        private AuditEntry oldest;
        private AuditEntry previous;
        private long count;
        private int checkpointsVerified;
        private boolean headSeen;

        Walk(AuditHead head, Map<Long, AuditCheckpoint> checkpointAt, PublicKey auditKey) {
            this.head = head;
            this.checkpointAt = checkpointAt;
            this.auditKey = auditKey;
        }

        void accept(AuditEntry entry) {
            count++;
            if (oldest == null) {
                oldest = entry;
            }
            long expectedSeq = previous == null ? 1 : previous.seq() + 1;
            if (entry.seq() > expectedSeq) {
                problems.add(missing(expectedSeq, entry.seq() - 1));
            } else if (entry.seq() < expectedSeq) {
                problems.add("entry " + entry.seq() + " is out of order (it follows entry " + previous.seq() + ")");
            } else {
                byte[] expectedPrev = previous == null ? chain.genesisHash() : previous.hash();
                if (!MessageDigest.isEqual(expectedPrev, entry.prevHash())) {
                    problems.add(previous == null
                            ? "entry " + entry.seq() + " does not start the chain: its previous hash is not the genesis hash"
                            : "entry " + entry.seq() + " (type " + entry.type() + ") does not follow entry "
                              + previous.seq() + ": its previous hash is not entry " + previous.seq()
                              + "'s hash (entries were removed, reordered or re-hashed)");
                }
            }
            if (!chain.matches(entry)) {
                problems.add("entry " + entry.seq() + " (type " + entry.type()
                        + ") was altered: its hash does not match its contents");
            }
            if (entry.seq() == head.seq()) {
                headSeen = true;
                if (!MessageDigest.isEqual(entry.hash(), head.hash())) {
                    problems.add("the head marker names entry " + head.seq()
                            + " with a different hash than that entry has");
                }
            }
            AuditCheckpoint checkpoint = checkpointAt.remove(entry.seq());
            if (checkpoint != null) {
                checkCheckpoint(checkpoint, entry);
            }
            previous = entry;
        }

        void finish() {
            long last = previous == null ? 0 : previous.seq();
            if (head.seq() > last) {
                problems.add("the log ends at entry " + last + " but its head marker says " + head.seq()
                        + ": " + range(last + 1, head.seq()) + " cut off the tail");
            } else if (head.seq() > 0 && !headSeen) {
                problems.add("the head marker names entry " + head.seq() + ", which is missing");
            }
            checkpointAt.values().stream().sorted((a, b) -> Long.compare(a.seq(), b.seq())).forEach(c -> {
                if (c.seq() > last) {
                    problems.add("checkpoint at entry " + c.seq() + " (signed " + c.signedAt() + ") lies beyond the last entry "
                            + last + ": " + range(last + 1, c.seq()) + " cut off the tail");
                } else {
                    problems.add("checkpoint at entry " + c.seq() + " (signed " + c.signedAt()
                            + ") names an entry that is missing");
                }
            });
        }

        private void checkCheckpoint(AuditCheckpoint checkpoint, AuditEntry entry) {
            boolean good = true;
            if (!MessageDigest.isEqual(checkpoint.hash(), entry.hash())) {
                problems.add("checkpoint at entry " + entry.seq() + " (signed " + checkpoint.signedAt()
                        + ") does not match entry " + entry.seq() + "'s hash");
                good = false;
            }
            if (auditKey != null && !signatureVerifies(checkpoint)) {
                problems.add("checkpoint at entry " + entry.seq() + " (signed " + checkpoint.signedAt() + " with key "
                        + checkpoint.keyLabel() + ") has a signature that does not verify with the audit key");
                good = false;
            }
            if (good) {
                checkpointsVerified++;
            }
        }

        private boolean signatureVerifies(AuditCheckpoint checkpoint) {
            try {
                Signature verifier = signature(checkpoint.signatureAlgorithm());
                verifier.initVerify(auditKey);
                verifier.update(AuditChain.checkpointPayload(checkpoint.seq(), checkpoint.hash()));
                return verifier.verify(checkpoint.signature());
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                return false;
            }
        }
    }

    private static Signature signature(String algorithm) throws NoSuchAlgorithmException {
        try {
            return Signature.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            // RSA-PSS names such as SHA256withRSAandMGF1 are BouncyCastle's.
            return Signature.getInstance(algorithm, new BouncyCastleProvider());
        }
    }

    private static String missing(long from, long to) {
        return from == to ? "entry " + from + " is missing" : "entries " + from + ".." + to + " are missing";
    }

    private static String range(long from, long to) {
        return from == to ? "entry " + from + " was" : "entries " + from + ".." + to + " were";
    }
}
