package org.medpki.ops.install;

import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.medpki.core.audit.AuditEvent;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;
import org.medpki.core.issuance.IssueCommand;
import org.medpki.core.issuance.IssuedCertificate;

/**
 * The service certificates for the CA API (profile {@code service}): one per calling service
 * (acme, crl, ocsp: clientAuth) and the CA endpoint's own ({@code ca}: serverAuth as well; SANs
 * see {@link #endpointNames}). Each key is a software key made here, in
 * {@code PKI_HOME/services/<name>/key.pem} (mode 600): it protects a transport, not the PKI, and
 * travels to the host that runs that service. Made at 'pki init' on the CA host; a running
 * service renews its own through the API ({@link #renewIfDue}).
 */
public final class ServiceCredentials {
    public static final String PROFILE = "service";
    public static final List<String> CALLERS = List.of("acme", "crl", "ocsp", "admin", "est", "cmp", "scep");
    public static final String CA = "ca";
    /** The admin API: serves TLS with its service certificate (and will call the CA API). */
    public static final String ADMIN = "admin";

    private final PkiHome home;

    public ServiceCredentials(PkiHome home) {
        this.home = home;
    }

    /** A service's key and chain, as PEM text. */
    public record Credential(String keyPem, String chainPem, X509CertificateHolder leaf) {
        /** The certificate chain, the service's own first. */
        public java.security.cert.X509Certificate[] certificates() {
            try {
                return java.security.cert.CertificateFactory.getInstance("X.509")
                        .generateCertificates(new java.io.ByteArrayInputStream(chainPem.getBytes(
                                java.nio.charset.StandardCharsets.US_ASCII))).stream()
                        .map(java.security.cert.X509Certificate.class::cast)
                        .toArray(java.security.cert.X509Certificate[]::new);
            } catch (java.security.cert.CertificateException e) {
                throw new PkiException(ErrorKind.CONFIGURATION, "a service certificate chain cannot be read: "
                        + e.getMessage());
            }
        }

        /** The service's private key (a software key: it protects a transport, see the class comment). */
        public java.security.PrivateKey privateKey() {
            try (PEMParser parser = new PEMParser(new StringReader(keyPem))) {
                Object o = parser.readObject();
                var converter = new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter();
                if (o instanceof org.bouncycastle.openssl.PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (o instanceof org.bouncycastle.asn1.pkcs.PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                throw new PkiException(ErrorKind.CONFIGURATION, "a service key file holds no private key");
            } catch (IOException e) {
                throw new PkiException(ErrorKind.CONFIGURATION, "a service key cannot be read: " + e.getMessage());
            }
        }

        boolean due(Clock clock) {
            Instant notBefore = leaf.getNotBefore().toInstant();
            Instant notAfter = leaf.getNotAfter().toInstant();
            return clock.instant().isAfter(notAfter.minus(Duration.between(notBefore, notAfter).dividedBy(3)));
        }
    }

    public boolean exists(String service) {
        return Files.exists(home.serviceDir(service).resolve("key.pem"))
                && Files.exists(home.serviceDir(service).resolve("chain.pem"));
    }

    public Credential read(String service) {
        Path dir = home.serviceDir(service);
        if (!exists(service)) {
            throw new PkiException(ErrorKind.CONFIGURATION, "no service certificate for '" + service + "' in " + dir
                    + ": run 'pki init' (or 'pki up') on the CA host and copy " + dir + " to this host");
        }
        try {
            String chain = Files.readString(dir.resolve("chain.pem"));
            try (PEMParser p = new PEMParser(new StringReader(chain))) {
                if (!(p.readObject() instanceof X509CertificateHolder leaf)) {
                    throw new PkiException(ErrorKind.CONFIGURATION, dir.resolve("chain.pem") + " holds no certificate");
                }
                return new Credential(Files.readString(dir.resolve("key.pem")), chain, leaf);
            }
        } catch (IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, "cannot read the service certificate in " + dir + ": "
                    + e.getMessage());
        }
    }

    /**
     * On the CA host: issues what is missing, due, or names other than {@code servers} says (every
     * caller, and the CA endpoint's own), with the CA in this process. {@code servers}: the services
     * that also serve TLS with their certificate (the CA API, ACME) and the names they serve under;
     * they get serverAuth. Returns the services it issued for.
     */
    public List<String> issueMissing(PkiContext context, String operator, Map<String, List<GeneralName>> servers) {
        List<String> all = new ArrayList<>(CALLERS);
        all.add(CA);
        return issueMissing(context, operator, servers, all);
    }

    /**
     * As {@link #issueMissing(PkiContext, String, Map)}, for the named services only: 'pki serve ca'
     * on a host of its own issues only its endpoint's (the callers' live on their hosts and renew
     * themselves through the API).
     */
    public List<String> issueMissing(PkiContext context, String operator, Map<String, List<GeneralName>> servers,
                                     List<String> services) {
        List<String> issued = new ArrayList<>();
        for (String service : services) {
            List<GeneralName> names = servers.getOrDefault(service, List.of());
            Credential current = exists(service) ? read(service) : null;
            if (current != null && !current.due(context.clock())
                    && Set.copyOf(sans(current.leaf())).equals(Set.copyOf(names))) {
                continue;
            }
            boolean endpoint = servers.containsKey(service);
            write(service, csr -> context.issuance().issue(new IssueCommand(PROFILE, csr, "ceremony:" + operator,
                    null, names, endpoint ? Set.of("serverAuth") : Set.of())), context.config().organisation(), names);
            issued.add(service);
        }
        if (!issued.isEmpty()) {
            context.audit().record(AuditEvent.success(context.clock().instant(), "service-certificates.issued",
                    operator, Map.of("services", String.join(",", issued))));
        }
        return issued;
    }

    /** In a service: renews its own certificate through the CA API when a third of its life is left. */
    public boolean renewIfDue(String service, Clock clock, Function<byte[], IssuedCertificate> renew,
                              String organisation) {
        Credential current = read(service);
        if (!current.due(clock)) {
            return false;
        }
        write(service, renew, organisation, sans(current.leaf())); // the CA keeps the names; the CSR asks the same
        return true;
    }

    private void write(String service, Function<byte[], IssuedCertificate> issue, String organisation,
                       List<GeneralName> names) {
        Path dir = home.serviceDir(service);
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = g.generateKeyPair();
            X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, organisation)
                    .addRDN(BCStyle.CN, service);
            JcaPKCS10CertificationRequestBuilder csr = new JcaPKCS10CertificationRequestBuilder(subject.build(),
                    pair.getPublic());
            if (!names.isEmpty()) {
                ExtensionsGenerator ext = new ExtensionsGenerator();
                ext.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(names.toArray(GeneralName[]::new)));
                csr.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
            }
            byte[] der = csr.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()))
                    .getEncoded();
            IssuedCertificate issued = issue.apply(der);
            Files.createDirectories(dir);
            String keyPem = "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pair.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
            Path chain = dir.resolve("chain.pem.tmp");
            Files.writeString(chain, issued.pemChain());
            Files.move(chain, dir.resolve("chain.pem"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            SecretFiles.write(dir.resolve("key.pem"), keyPem);
        } catch (IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, "cannot write the service certificate to " + dir + ": "
                    + e.getMessage());
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new PkiException(ErrorKind.INTERNAL, "cannot make the key of service " + service, e);
        }
    }

    /** The subject alternative names of a certificate (none: empty). */
    public static List<GeneralName> sans(X509CertificateHolder certificate) {
        GeneralNames names = GeneralNames.fromExtensions(certificate.getExtensions(), Extension.subjectAlternativeName);
        return names == null ? List.of() : List.of(names.getNames());
    }

    /**
     * The SANs of an endpoint that clients reach at {@code host}: an IP address SAN for an
     * address, a DNS SAN for a name under the PKI's domain, none otherwise (a container's or
     * Kubernetes service's name such as {@code ca} or {@code ca.medpki.svc} is outside what the
     * service profile may name). CA API callers do not check the name anyway: they check that the
     * endpoint is the CA's own service certificate (CN {@code ca}, issued by the service CA; see
     * CaApiClient).
     */
    public static List<GeneralName> endpointNames(String host, String domain) {
        if (InstallationConfig.CaApi.isIpAddress(host)) {
            try {
                return List.of(new GeneralName(GeneralName.iPAddress,
                        new DEROctetString(InetAddress.getByName(host).getAddress())));
            } catch (IOException e) {
                throw new PkiException(ErrorKind.CONFIGURATION, "caApi.host " + host + " is not an IP address");
            }
        }
        String name = host.toLowerCase(java.util.Locale.ROOT);
        String suffix = "." + domain.toLowerCase(java.util.Locale.ROOT);
        return name.endsWith(suffix) ? List.of(new GeneralName(GeneralName.dNSName, name)) : List.of();
    }
}
