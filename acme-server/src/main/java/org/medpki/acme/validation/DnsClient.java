package org.medpki.acme.validation;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * A DNS stub client over dnsjava, pointed at one configured resolver: A, AAAA, TXT and CAA
 * questions, recursion desired, no DNSSEC. Asks over UDP with an EDNS(0) payload size of 1232
 * bytes (RFC 6891; the DNS flag day 2020 value that avoids IP fragmentation), and dnsjava asks
 * again over TCP (RFC 7766) when the UDP answer is truncated: large dns-01 TXT sets and CAA sets
 * do not fit in 512 bytes. A server that answers FORMERR to EDNS is asked once more without it.
 * On top of dnsjava: each question is bounded by the caller's time, and answers over
 * {@value #MAX_RESPONSE_BYTES} bytes are refused.
 */
public final class DnsClient {
    static final int EDNS_UDP_PAYLOAD = 1232;
    /** Larger answers are refused on either transport; a 100-record dns-01 TXT set is about 6 KiB. */
    static final int MAX_RESPONSE_BYTES = 16384;

    private final InetSocketAddress server;

    public DnsClient(InetSocketAddress server) {
        this.server = server;
    }

    /** The DNS server's failure or silence; the message is for our log (it names the server). */
    public static final class DnsFailure extends Exception {
        public DnsFailure(String message) {
            super(message, null, false, false);
        }
    }

    /** One CAA record (RFC 8659 section 4.1). */
    public record Caa(int flags, String tag, String value) {
    }

    public List<InetAddress> addresses(String name, Duration timeout) throws DnsFailure {
        List<InetAddress> out = new ArrayList<>();
        for (Record r : query(name, Type.A, timeout)) {
            out.add(((ARecord) r).getAddress());
        }
        for (Record r : query(name, Type.AAAA, timeout)) {
            out.add(((AAAARecord) r).getAddress());
        }
        return out;
    }

    /** The TXT strings of {@code name}, each record's strings joined. */
    public List<String> txt(String name, Duration timeout) throws DnsFailure {
        List<String> out = new ArrayList<>();
        for (Record r : query(name, Type.TXT, timeout)) {
            out.add(String.join("", ((TXTRecord) r).getStrings()));
        }
        return out;
    }

    /**
     * The CAA records of {@code name}, each value as its bytes were sent: dnsjava's
     * {@code getValue()} is the presentation form, which escapes bytes outside printable ASCII
     * ({@code \255}) and would so make a value outside the RFC 8659 grammar look like one inside.
     */
    public List<Caa> caa(String name, Duration timeout) throws DnsFailure {
        List<Caa> out = new ArrayList<>();
        for (Record r : query(name, Type.CAA, timeout)) {
            CaaProperty p = CaaProperty.fromRdata(r.rdataToWireCanonical());
            if (p == null) {
                throw new DnsFailure("a CAA record for " + name + " is too short to read");
            }
            out.add(new Caa(p.flags(), p.tag(), p.value()));
        }
        return out;
    }

    /** The answer records of {@code type}; empty for NXDOMAIN or no data. */
    List<Record> query(String name, int type, Duration timeout) throws DnsFailure {
        long deadline = System.nanoTime() + timeout.toNanos();
        Message question;
        try {
            question = Message.newQuery(Record.newRecord(Name.fromString(name, Name.root), type, DClass.IN));
        } catch (TextParseException e) {
            throw new DnsFailure("'" + name + "' is not a DNS name");
        }
        Message answer = send(question, true, name, deadline);
        // A server that does not know EDNS may answer FORMERR (RFC 6891 section 7): ask it plainly once.
        if (answer.getRcode() == Rcode.FORMERR) {
            answer = send(question, false, name, deadline);
        }
        return records(answer, question.getQuestion(), name);
    }

    private Message send(Message question, boolean edns, String name, long deadline) throws DnsFailure {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new DnsFailure("the DNS server " + serverName() + " did not answer for " + name + " in time");
        }
        SimpleResolver resolver = new SimpleResolver(server);
        resolver.setTimeout(Duration.ofNanos(left));
        if (edns) {
            resolver.setEDNS(0, EDNS_UDP_PAYLOAD, 0, List.of());
        } else {
            resolver.setEDNS(-1, 0, 0, List.of());
        }
        try {
            return resolver.sendAsync(question.clone()).toCompletableFuture().get(left, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new DnsFailure("the DNS server " + serverName() + " did not answer for " + name + " in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DnsFailure("the DNS look-up for " + name + " was interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new DnsFailure("the DNS query to " + serverName() + " for " + name + " failed: " + cause);
        }
    }

    /**
     * The answer section's records of {@code type} from a response, checked: a response, not
     * truncated, within the size cap, to the question asked (names compare without regard to case),
     * rcode NOERROR or NXDOMAIN.
     */
    static List<Record> records(Message answer, Record question, String name) throws DnsFailure {
        int type = question.getType();
        if (answer.numBytes() > MAX_RESPONSE_BYTES) {
            throw new DnsFailure("the DNS answer for " + name + " is larger than " + MAX_RESPONSE_BYTES + " bytes ("
                    + answer.numBytes() + ")");
        }
        if (!answer.getHeader().getFlag(org.xbill.DNS.Flags.QR)) {
            throw new DnsFailure("the DNS answer for " + name + " is not a response");
        }
        if (answer.getHeader().getFlag(org.xbill.DNS.Flags.TC)) {
            throw new DnsFailure("the DNS answer for " + name + " was truncated");
        }
        Record echoed = answer.getQuestion();
        if (echoed == null || !echoed.getName().equals(question.getName()) || echoed.getType() != type) {
            throw new DnsFailure("the DNS answer for " + name + " is for another question");
        }
        int rcode = answer.getRcode();
        if (rcode == Rcode.NXDOMAIN) {
            return List.of();
        }
        if (rcode != Rcode.NOERROR) {
            throw new DnsFailure("the DNS server answered rcode " + rcode + " (" + Rcode.string(rcode) + ") for " + name);
        }
        List<Record> out = new ArrayList<>();
        for (Record r : answer.getSection(Section.ANSWER)) {
            if (r.getType() == type) {
                out.add(r);
            }
        }
        return out;
    }

    private String serverName() {
        return server.getHostString() + ":" + server.getPort();
    }
}
