package org.medpki.caapi;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.cert.X509CertificateHolder;
import org.medpki.core.crl.CrlKind;
import org.medpki.core.crl.PublishedCrl;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.issuance.IssuedCertificate;

/**
 * The CA API's JSON, written and read in this one place by both ends. Binary values (DER) are
 * base64; serials are lower-case hex; CRL numbers decimal strings; times ISO-8601.
 */
final class CaApiJson {
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private CaApiJson() {
    }

    static String b64(byte[] der) {
        return B64.encodeToString(der);
    }

    static JsonObject issued(IssuedCertificate c) {
        JsonArray chain = new JsonArray();
        c.chain().forEach(h -> chain.add(b64(encoded(h))));
        return new JsonObject().put("serial", c.serial().toString(16)).put("profile", c.profile())
                .put("issuer", c.issuer()).put("certificate", b64(encoded(c.certificate()))).put("chain", chain);
    }

    static IssuedCertificate issued(JsonObject o) {
        List<X509CertificateHolder> chain = new ArrayList<>();
        for (Object e : array(o, "chain")) {
            chain.add(certificate(e));
        }
        return new IssuedCertificate(serial(o, "serial"), string(o, "profile"), string(o, "issuer"),
                certificate(o.getValue("certificate")), chain);
    }

    static JsonObject crl(PublishedCrl c) {
        return new JsonObject().put("caId", c.caId()).put("shard", c.shard()).put("kind", c.kind().wireName())
                .put("number", c.number().toString())
                .put("baseNumber", c.baseNumber() == null ? null : c.baseNumber().toString())
                .put("thisUpdate", c.thisUpdate().toString()).put("nextUpdate", c.nextUpdate().toString())
                .put("entries", c.entries()).put("der", b64(c.der())).put("publishedAt", c.publishedAt().toString());
    }

    static PublishedCrl crl(JsonObject o) {
        String base = o.getString("baseNumber");
        return new PublishedCrl(o.getLong("caId"), o.getInteger("shard"), CrlKind.ofWireName(string(o, "kind")),
                new BigInteger(string(o, "number")), base == null ? null : new BigInteger(base),
                Instant.parse(string(o, "thisUpdate")), Instant.parse(string(o, "nextUpdate")), o.getLong("entries"),
                bytes(o, "der"), Instant.parse(string(o, "publishedAt")));
    }

    static JsonObject error(PkiException e) {
        JsonArray subs = new JsonArray();
        e.subproblems().forEach(s -> subs.add(error(s)));
        return new JsonObject().put("kind", e.kind().name()).put("detail", e.publicDetail()).put("subproblems", subs);
    }

    /** The error a CA API answer carries, as the exception the CA raised (details already public). */
    static PkiException error(JsonObject o) {
        ErrorKind kind;
        try {
            kind = ErrorKind.valueOf(o.getString("kind"));
        } catch (RuntimeException e) {
            kind = ErrorKind.INTERNAL;
        }
        List<PkiException> subs = new ArrayList<>();
        JsonArray a = o.getJsonArray("subproblems");
        if (a != null) {
            for (int i = 0; i < a.size(); i++) {
                subs.add(error(a.getJsonObject(i)));
            }
        }
        String detail = o.getString("detail");
        return new PkiException(kind, detail == null ? "the CA refused the request" : detail, null, subs);
    }

    static JsonArray names(List<GeneralName> names) {
        JsonArray a = new JsonArray();
        names.forEach(n -> a.add(b64(encoded(n))));
        return a;
    }

    static List<GeneralName> names(JsonObject o, String key) {
        if (o.getValue(key) == null) {
            return null;
        }
        List<GeneralName> names = new ArrayList<>();
        for (Object e : array(o, key)) {
            try {
                names.add(GeneralName.getInstance(decode(e, key)));
            } catch (RuntimeException ex) {
                throw malformed(key + " must hold base64 DER GeneralNames");
            }
        }
        return names;
    }

    static String string(JsonObject o, String key) {
        if (!(o.getValue(key) instanceof String s) || s.isEmpty()) {
            throw malformed(key + " must be a non-empty string");
        }
        return s;
    }

    static byte[] bytes(JsonObject o, String key) {
        return decode(o.getValue(key), key);
    }

    static BigInteger serial(JsonObject o, String key) {
        String s = string(o, key);
        if (!s.matches("[0-9a-f]{1,64}")) {
            throw malformed(key + " must be a serial in lower-case hex");
        }
        return new BigInteger(s, 16);
    }

    static JsonArray array(JsonObject o, String key) {
        if (!(o.getValue(key) instanceof JsonArray a)) {
            throw malformed(key + " must be an array");
        }
        return a;
    }

    private static byte[] decode(Object value, String key) {
        if (!(value instanceof String s) || s.isEmpty()) {
            throw malformed(key + " must be base64");
        }
        try {
            return B64D.decode(s);
        } catch (IllegalArgumentException e) {
            throw malformed(key + " must be base64");
        }
    }

    private static X509CertificateHolder certificate(Object value) {
        try {
            return new X509CertificateHolder(decode(value, "certificate"));
        } catch (IOException | RuntimeException e) {
            throw malformed("a certificate in the answer is not DER");
        }
    }

    static byte[] encoded(org.bouncycastle.asn1.ASN1Encodable o) {
        try {
            return o.toASN1Primitive().getEncoded("DER");
        } catch (IOException e) {
            throw new PkiException(ErrorKind.INTERNAL, "cannot encode " + o.getClass().getSimpleName(), e);
        }
    }

    private static byte[] encoded(X509CertificateHolder h) {
        try {
            return h.getEncoded();
        } catch (IOException e) {
            throw new PkiException(ErrorKind.INTERNAL, "cannot encode a certificate", e);
        }
    }

    static PkiException malformed(String detail) {
        return new PkiException(ErrorKind.MALFORMED, detail);
    }
}
