package org.medpki.caapi;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.math.BigInteger;
import java.net.URI;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.x509.GeneralName;
import org.medpki.core.crl.CrlKind;
import org.medpki.core.crl.PublishedCrl;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.hierarchy.OcspSignerCertifier;
import org.medpki.core.issuance.IssuedCertificate;
import org.medpki.core.revocation.RevocationReason;

/**
 * A service's connection to the CA API: mutual TLS with the service's own certificate, the CA
 * endpoint authenticated by its certificate identity, not by the host name it was reached under:
 * it must chain to the PKI's root, be issued by the service CA (the CA that issues the
 * {@code service} profile) and carry CN "ca" and serverAuth. Calls
 * block: call them from a virtual or worker thread, never an event loop. A CA that cannot be
 * reached is {@link ErrorKind#CA_UNAVAILABLE}; a refusal comes back as the CA's own error kind.
 */
public final class CaApiClient implements AutoCloseable {
    /** The CN of the CA service's own certificate. */
    public static final String CA_SERVICE_NAME = "ca";

    private final HttpClient http;
    private final String host;
    private final int port;
    private final String url;
    private final Duration timeout;
    /** How much longer than the request's timeout a whole call may take before it fails. */
    private static final long CALL_MARGIN_MS = 5_000;
    private volatile X509Certificate verifiedEndpoint;
    private final CallerIssuers serviceCas;

    /**
     * @param url       https://host:port of the CA API
     * @param keyPem    this service's private key (PEM)
     * @param chainPem  this service's certificate chain (PEM, leaf first)
     * @param rootPem   the PKI's root certificate (PEM): the CA endpoint must chain to it
     * @param serviceCas the generations of the CA that issues the {@code service} profile: the
     *                   endpoint's certificate must be signed by one of them
     */
    public CaApiClient(Vertx vertx, String url, String keyPem, String chainPem, String rootPem,
                       CallerIssuers serviceCas, Duration timeout) {
        URI u = URI.create(url);
        if (!"https".equals(u.getScheme()) || u.getHost() == null || u.getPort() < 1) {
            throw new PkiException(ErrorKind.CONFIGURATION, "the CA API URL must be https://host:port, not " + url);
        }
        this.host = u.getHost();
        this.port = u.getPort();
        this.url = url;
        this.timeout = timeout;
        this.serviceCas = java.util.Objects.requireNonNull(serviceCas, "serviceCas");
        // No host name verification: in containers and Kubernetes the CA is reached by a service
        // name ("ca", "ca.medpki.svc") that is outside the PKI's domain and so cannot be in the
        // service profile's SANs. The endpoint is checked by identity instead (checkEndpoint), which
        // is stronger here than a name: only the CA issues service certificates, it gives CN "ca"
        // only to itself (init and its own start), and a renewal through the API keeps the caller's
        // own CN (CaApiOperations.renew refuses any other), so no other service can hold one. A
        // name check would accept any certificate of this PKI that names the host, e.g. a
        // tls-server certificate for it from server-ca.
        this.http = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setVerifyHost(false)
                .setKeyCertOptions(new PemKeyCertOptions().addKeyValue(Buffer.buffer(keyPem))
                        .addCertValue(Buffer.buffer(chainPem)))
                .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(rootPem)))
                .setConnectTimeout((int) Math.min(timeout.toMillis(), 10_000)).setKeepAlive(true),
                new io.vertx.core.http.PoolOptions().setHttp1MaxSize(32));
    }

    public String url() {
        return url;
    }

    public IssuedCertificate issue(String profile, byte[] csr, String requester, List<GeneralName> names,
                                   Set<String> optionalUsages) {
        JsonObject body = new JsonObject().put("profile", profile).put("csr", CaApiJson.b64(csr))
                .put("requester", requester).put("optionalUsages", new JsonArray(List.copyOf(optionalUsages)));
        if (names != null) {
            body.put("names", CaApiJson.names(names));
        }
        return CaApiJson.issued(call("certificates", body));
    }

    /**
     * Issues under {@code profile} with an identity the caller took from a registry (a device's):
     * the certificate carries {@code identity}'s subject and names whatever the request asks.
     * {@code request} is a PKCS#10 or CRMF CertReqMsg (DER).
     */
    public IssuedCertificate issueAssigned(String profile, byte[] request, String requester,
                                           org.medpki.core.policy.AssignedIdentity identity) {
        JsonObject body = new JsonObject().put("profile", profile).put("csr", CaApiJson.b64(request))
                .put("requester", requester).put("subject", CaApiJson.b64(CaApiJson.encoded(identity.subject())))
                .put("assignedNames", CaApiJson.names(identity.names()));
        return CaApiJson.issued(call("certificates", body));
    }

    public void revoke(BigInteger serial, String issuer, RevocationReason reason, String actor) {
        call("revocations", new JsonObject().put("serial", serial.toString(16)).put("issuer", issuer)
                .put("reason", reason.rfcName()).put("actor", actor));
    }

    /**
     * Revokes the issuing CA or OCSP signer certificate {@code ca}; answers what the CA recorded
     * ({@code ca, role, issuer, serial, reason, revokedAt}, and {@code crlNumber} of the root's CRL).
     */
    public JsonObject revokeCa(String ca, RevocationReason reason, String actor) {
        return call("ca-revocations", new JsonObject().put("ca", ca).put("reason", reason.rfcName()).put("actor", actor));
    }

    /**
     * Has the CA retire and destroy the key of {@code ca} ({@code keySha256} null: its only key)
     * after {@code approvers} approved {@code actor}'s request; answers the CA's record
     * ({@code ca, role, keyLabel, token, keySha256, grounds, lastExpiry, tokenAnswer, destroyedAt},
     * and {@code finalCrlNumber, finalCrlNextUpdate} for an issuing CA).
     */
    public JsonObject destroyKey(String ca, String keySha256, String actor, java.util.List<String> approvers) {
        JsonObject body = new JsonObject().put("ca", ca).put("actor", actor)
                .put("approvers", new io.vertx.core.json.JsonArray(approvers));
        if (keySha256 != null) {
            body.put("keySha256", keySha256);
        }
        return call("key-destructions", body);
    }

    /**
     * Rolls the issuing CA {@code ca} (as the profiles name it) over to a new key; {@code switchAt}
     * null is now. Answers what the CA made ({@code ca, previous, name, generation, keyLabel,
     * keySha256, serial, notAfter, switchAt, resumed}).
     */
    public JsonObject rolloverCa(String ca, java.time.Instant switchAt, String actor) {
        JsonObject body = new JsonObject().put("ca", ca).put("actor", actor);
        if (switchAt != null) {
            body.put("switchAt", switchAt.toString());
        }
        return call("ca-rollovers", body);
    }

    /** {@code shard} and {@code kind} are ignored for the root's CRL. */
    public PublishedCrl publishCrl(String ca, int shard, CrlKind kind) {
        return CaApiJson.crl(call("crls", new JsonObject().put("ca", ca).put("shard", shard)
                .put("kind", kind.wireName())));
    }

    public OcspSignerCertifier.CertifiedSigner certifyOcspSigner(String issuingCa, byte[] csr, String keyLabel) {
        JsonObject o = call("ocsp-signers", new JsonObject().put("issuingCa", issuingCa).put("csr", CaApiJson.b64(csr))
                .put("keyLabel", keyLabel));
        return new OcspSignerCertifier.CertifiedSigner(CaApiJson.string(o, "name"), CaApiJson.bytes(o, "certificate"),
                java.time.Instant.parse(CaApiJson.string(o, "notAfter")));
    }

    /** A new certificate for this service's own name and a new key (the CSR's). */
    public IssuedCertificate renewServiceCertificate(byte[] csr) {
        return CaApiJson.issued(call("service-certificates", new JsonObject().put("csr", CaApiJson.b64(csr))));
    }

    /** Whether the CA answers its health check with 200; why not, otherwise. */
    public Optional<String> unavailable() {
        try {
            int status = http.request(new RequestOptions().setMethod(HttpMethod.GET).setHost(host)
                    .setPort(port).setURI("/health").setTimeout(timeout.toMillis())).compose(req -> req.send())
                    .compose(r -> r.body().map(b -> r.statusCode())).await();
            return status == 200 ? Optional.empty()
                    : Optional.of("the CA service at " + url + " reports itself down (HTTP " + status + ")");
        } catch (Exception e) {
            // Future.await rethrows the failure as it is: a refused connection is a checked
            // java.net.ConnectException, not a RuntimeException.
            return Optional.of("the CA service at " + url + " cannot be reached: " + reason(e));
        }
    }

    /** A response with its body, read on the client's context before anything else may drop it. */
    private record Answer(HttpClientResponse response, Buffer body) {
    }

    private JsonObject call(String resource, JsonObject body) {
        Answer answer;
        try {
            answer = http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port)
                            .setURI("/ca-api/v1/" + resource).setTimeout(timeout.toMillis())
                            .putHeader("Content-Type", "application/json"))
                    .compose(req -> req.send(body.toBuffer()))
                    .compose(r -> r.body().map(b -> new Answer(r, b)))
                    // A deadline of our own over the whole call: the request's timeout alone was
                    // seen to leave a call waiting for ever under load (a mass revocation stalled,
                    // the CRL publisher stopped), with no request in flight at the CA. Failing it
                    // lets the caller retry (the admin API resumes a request every minute, the
                    // publisher keeps what it owes).
                    .await(timeout.toMillis() + CALL_MARGIN_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception e) {  // checked ones too (see unavailable), the deadline's TimeoutException
            throw new PkiException(ErrorKind.CA_UNAVAILABLE, "the CA service at " + url + " cannot be reached: "
                    + reason(e), e);
        }
        checkEndpoint(answer.response());
        JsonObject json;
        try {
            json = answer.body().toJsonObject();
        } catch (DecodeException | ClassCastException e) {
            throw new PkiException(ErrorKind.CA_UNAVAILABLE, "the CA service at " + url + " answered HTTP "
                    + answer.response().statusCode() + " without a JSON body");
        }
        if (answer.response().statusCode() != 200) {
            throw CaApiJson.error(json);
        }
        return json;
    }

    /**
     * The peer must be the CA service itself, not another holder of a certificate of this PKI: TLS
     * has already checked the chain to the root; here the leaf must be signed by a generation of
     * the service CA (one certified since this client started is read then), carry CN "ca" and
     * allow serverAuth. Checked before any request body is trusted.
     */
    private void checkEndpoint(HttpClientResponse response) {
        try {
            List<Certificate> chain = response.request().connection().peerCertificates();
            if (!chain.isEmpty() && chain.get(0) instanceof X509Certificate leaf
                    && (leaf.equals(verifiedEndpoint) || isCaEndpoint(leaf, serviceCas))) {
                // The same certificate on every call of a kept-alive connection: its signature is
                // checked once, not on each call (a JDK ECDSA verification costs about a millisecond).
                verifiedEndpoint = leaf;
                return;
            }
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            // refused below
        }
        throw new PkiException(ErrorKind.CA_UNAVAILABLE, "the endpoint at " + url + " is not the CA service");
    }

    /** Whether {@code leaf} is the CA service's endpoint certificate, issued by a generation of the service CA. Blocks. */
    static boolean isCaEndpoint(X509Certificate leaf, CallerIssuers serviceCas) {
        return serviceCas.signerOf(leaf).filter(ca -> isCaEndpoint(leaf, ca.x509())).isPresent();
    }

    /** Whether {@code leaf} is the CA service's endpoint certificate: issued by {@code serviceCa}, CN "ca", serverAuth. */
    static boolean isCaEndpoint(X509Certificate leaf, X509Certificate serviceCa) {
        if (!leaf.getIssuerX500Principal().equals(serviceCa.getSubjectX500Principal())) {
            return false;
        }
        try {
            leaf.verify(serviceCa.getPublicKey());
            List<String> eku = leaf.getExtendedKeyUsage();
            return eku != null && eku.contains("1.3.6.1.5.5.7.3.1")
                    && CallerAuthenticator.commonName(leaf).filter(CA_SERVICE_NAME::equals).isPresent();
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    private static String reason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    @Override
    public void close() {
        http.close();
    }
}
