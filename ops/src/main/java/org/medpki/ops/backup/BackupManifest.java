package org.medpki.ops.backup;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/**
 * manifest.json of a backup: what it holds (every file with its SHA-256), where the installation
 * stood when it was made (the newest CRL number of each CA, the last audit entry, the number of
 * certificates and the highest serial, all read in the snapshot pg_dump used), when, by which
 * version, and which certificate signs it. The audit key signs the file's exact bytes
 * ({@link #signedBytes(byte[])}); manifest.sig holds the signature.
 *
 * @param tokens each token's label by role ({@code ca}, {@code ocsp}), and its directory in the backup
 *               ({@code tokens/<uuid>}) when SoftHSM2's store was copied; empty when the HSM is
 *               backed up by its vendor's tools
 */
public record BackupManifest(
        @JsonProperty("format") String format,
        @JsonProperty("product") String product,
        @JsonProperty("createdAt") String createdAt,
        @JsonProperty("domain") String domain,
        @JsonProperty("root") String root,
        @JsonProperty("rootSha256") String rootSha256,
        @JsonProperty("auditSigner") String auditSigner,
        @JsonProperty("newestCrlNumbers") Map<String, BigInteger> newestCrlNumbers,
        @JsonProperty("highestAuditSeq") long highestAuditSeq,
        @JsonProperty("certificates") long certificates,
        @JsonProperty("highestSerial") String highestSerial,
        @JsonProperty("tokens") Map<String, Token> tokens,
        @JsonProperty("files") Map<String, String> files) {

    public static final String FORMAT = "medpki-backup/1";
    public static final String FILE = "manifest.json";
    public static final String SIGNATURE_FILE = "manifest.sig";
    /** Prefixed to the manifest before signing, so the signature can never pass for an audit checkpoint's. */
    private static final byte[] CONTEXT = "medpki backup manifest\n".getBytes(StandardCharsets.US_ASCII);

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    public record Token(@JsonProperty("label") String label, @JsonProperty("directory") String directory) {
    }

    public BackupManifest {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(rootSha256, "rootSha256");
        Objects.requireNonNull(auditSigner, "auditSigner");
        newestCrlNumbers = new TreeMap<>(Objects.requireNonNull(newestCrlNumbers, "newestCrlNumbers"));
        tokens = new TreeMap<>(Objects.requireNonNull(tokens, "tokens"));
        files = new TreeMap<>(Objects.requireNonNull(files, "files"));
    }

    public byte[] toJson() {
        try {
            return MAPPER.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("a manifest always serialises", e);
        }
    }

    /** The manifest in {@code json}; MALFORMED naming manifest.json when it is not one of this format. */
    public static BackupManifest parse(byte[] json) {
        BackupManifest m;
        try {
            m = MAPPER.readValue(json, BackupManifest.class);
        } catch (IOException | RuntimeException e) {
            throw new PkiException(ErrorKind.MALFORMED, FILE + " is not a medpki backup manifest: "
                    + firstLine(e.getMessage()));
        }
        if (!FORMAT.equals(m.format())) {
            throw new PkiException(ErrorKind.MALFORMED, FILE + " has format '" + m.format() + "', not " + FORMAT);
        }
        return m;
    }

    /** What the audit key signs: a fixed context string and the manifest file's bytes. */
    public static byte[] signedBytes(byte[] manifestJson) {
        byte[] out = new byte[CONTEXT.length + manifestJson.length];
        System.arraycopy(CONTEXT, 0, out, 0, CONTEXT.length);
        System.arraycopy(manifestJson, 0, out, CONTEXT.length, manifestJson.length);
        return out;
    }

    /** manifest.sig: which certificate (by CA name), which algorithm, and the signature (base64). */
    public record Signature(@JsonProperty("signer") String signer, @JsonProperty("algorithm") String algorithm,
                            @JsonProperty("signature") String signature) {
        public byte[] toJson() {
            try {
                return MAPPER.writeValueAsBytes(this);
            } catch (IOException e) {
                throw new IllegalStateException("a signature always serialises", e);
            }
        }

        public static Signature parse(byte[] json) {
            try {
                Signature s = MAPPER.readValue(json, Signature.class);
                if (s.signer() == null || s.algorithm() == null || s.signature() == null) {
                    throw new IllegalArgumentException("signer, algorithm and signature are required");
                }
                return s;
            } catch (IOException | RuntimeException e) {
                throw new PkiException(ErrorKind.MALFORMED, SIGNATURE_FILE + " is not a manifest signature: "
                        + firstLine(e.getMessage()));
            }
        }
    }

    static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        String line = message.lines().findFirst().orElse(message);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }
}
