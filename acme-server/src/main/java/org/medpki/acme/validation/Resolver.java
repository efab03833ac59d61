package org.medpki.acme.validation;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.medpki.acme.AcmeConfig;

/**
 * Name resolution for validation: the static hosts file first (labs), then the configured DNS
 * server (PKI_ACME_DNS_SERVER), else the system's first nameserver from /etc/resolv.conf.
 */
public final class Resolver {
    private final HostsFile hosts;
    private final DnsClient dns;

    public Resolver(AcmeConfig config) {
        this.hosts = config.hostsFile() == null ? null : new HostsFile(config.hostsFile());
        InetSocketAddress server = config.dnsServer() != null ? config.dnsServer() : systemNameserver();
        this.dns = new DnsClient(server, config.validationTimeout().compareTo(Duration.ofSeconds(5)) < 0
                ? config.validationTimeout() : Duration.ofSeconds(5));
    }

    public DnsClient dns() {
        return dns;
    }

    /** Whether the hosts file names {@code name} (such lab names are not checked for CAA). */
    public boolean fromHostsFile(String name) {
        return hosts != null && !hosts.lookup(name).isEmpty();
    }

    public List<InetAddress> resolve(String name) throws DnsClient.DnsFailure {
        if (hosts != null) {
            List<InetAddress> listed = hosts.lookup(name);
            if (!listed.isEmpty()) {
                return listed;
            }
        }
        List<InetAddress> out = new ArrayList<>();
        for (byte[] a : dns.query(name, DnsClient.A)) {
            out.add(address(a));
        }
        for (byte[] a : dns.query(name, DnsClient.AAAA)) {
            out.add(address(a));
        }
        if (out.isEmpty()) {
            throw new DnsClient.DnsFailure("no A or AAAA record for " + name);
        }
        return out;
    }

    private static InetAddress address(byte[] raw) throws DnsClient.DnsFailure {
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new DnsClient.DnsFailure("a malformed address record");
        }
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
