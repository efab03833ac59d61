package org.medpki.acme.validation;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.medpki.acme.AcmeConfig;

/**
 * Name resolution for validation: the static hosts file first (labs), then the configured DNS
 * server (PKI_ACME_DNS_SERVER), else the system's first nameserver from /etc/resolv.conf. One DNS
 * question gets at most {@value #QUESTION_SECONDS} s, and never more than the validation has left.
 */
public final class Resolver {
    static final int QUESTION_SECONDS = 5;
    private final HostsFile hosts;
    private final DnsClient dns;

    public Resolver(AcmeConfig config) {
        this.hosts = config.hostsFile() == null ? null : new HostsFile(config.hostsFile());
        this.dns = new DnsClient(config.dnsServer() != null ? config.dnsServer() : systemNameserver());
    }

    /** Whether the hosts file names {@code name} (such lab names are not checked for CAA). */
    public boolean fromHostsFile(String name) {
        return hosts != null && !hosts.lookup(name).isEmpty();
    }

    List<InetAddress> resolve(String name, Deadline deadline) throws DnsClient.DnsFailure {
        if (hosts != null) {
            List<InetAddress> listed = hosts.lookup(name);
            if (!listed.isEmpty()) {
                return listed;
            }
        }
        List<InetAddress> out = dns.addresses(name, share(deadline));
        if (out.isEmpty()) {
            throw new DnsClient.DnsFailure("no A or AAAA record for " + name);
        }
        return out;
    }

    List<String> txt(String name, Deadline deadline) throws DnsClient.DnsFailure {
        return dns.txt(name, share(deadline));
    }

    List<DnsClient.Caa> caa(String name, Deadline deadline) throws DnsClient.DnsFailure {
        return dns.caa(name, share(deadline));
    }

    private static Duration share(Deadline deadline) throws DnsClient.DnsFailure {
        if (deadline.passed()) {
            throw new DnsClient.DnsFailure("the validation's time ran out before the DNS look-up");
        }
        return deadline.atMost(Duration.ofSeconds(QUESTION_SECONDS));
    }

    static InetSocketAddress systemNameserver() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/resolv.conf"))) {
                String[] parts = line.trim().split("\\s+");
                if (parts.length >= 2 && parts[0].equals("nameserver")) {
                    return new InetSocketAddress(InetAddress.getByName(parts[1]), 53);
                }
            }
        } catch (IOException e) {
            // fall through to the loopback resolver
        }
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 53);
    }
}
