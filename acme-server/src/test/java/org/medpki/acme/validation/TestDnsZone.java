package org.medpki.acme.validation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * A DNS zone the test fills (CAA and TXT records by name), served on loopback over UDP and TCP by
 * a {@link LoopbackDnsServer}; a name may be made to fail (SERVFAIL for every question about it).
 * Names not filled get an empty NOERROR answer. Public for the handler tests of org.medpki.acme.
 */
public final class TestDnsZone implements AutoCloseable {
    /** One CAA record: flags, tag and value; each char of the value is sent as one byte (ISO-8859-1). */
    public record Caa(int flags, String tag, String value) {
        byte[] rdata() {
            byte[] t = tag.getBytes(StandardCharsets.US_ASCII);
            byte[] v = value.getBytes(StandardCharsets.ISO_8859_1);
            byte[] r = new byte[2 + t.length + v.length];
            r[0] = (byte) flags;
            r[1] = (byte) t.length;
            System.arraycopy(t, 0, r, 2, t.length);
            System.arraycopy(v, 0, r, 2 + t.length, v.length);
            return r;
        }
    }

    private final Map<String, List<Caa>> caa = new ConcurrentHashMap<>();
    private final Map<String, List<String>> txt = new ConcurrentHashMap<>();
    private final Set<String> failing = ConcurrentHashMap.newKeySet();
    private final List<String> caaQuestions = new CopyOnWriteArrayList<>();
    private final LoopbackDnsServer server;

    public TestDnsZone() {
        try {
            server = new LoopbackDnsServer(this::answer, this::answer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public InetSocketAddress address() {
        return server.address();
    }

    /** Replaces the CAA record set of {@code name} (none: the name has no CAA records). */
    public void caa(String name, Caa... records) {
        caa.put(key(name), List.of(records));
    }

    /** An issue property (flags 0) with {@code value}. */
    public static Caa issue(String value) {
        return new Caa(0, "issue", value);
    }

    public void txt(String name, String... values) {
        txt.put(key(name), List.of(values));
    }

    /** Whether every question about {@code name} is answered SERVFAIL. */
    public void failing(String name, boolean fail) {
        if (fail) {
            failing.add(key(name));
        } else {
            failing.remove(key(name));
        }
    }

    /** The names CAA was asked for so far, in order (lower case). */
    public List<String> caaQuestions() {
        return List.copyOf(caaQuestions);
    }

    private byte[] answer(byte[] query) {
        try {
            Message question = new Message(query);
            Record q = question.getQuestion();
            String name = key(q.getName().toString(true));
            Message response = new Message(question.getHeader().getID());
            response.getHeader().setFlag(Flags.QR);
            response.getHeader().setFlag(Flags.RD);
            response.getHeader().setFlag(Flags.RA);
            response.addRecord(q, Section.QUESTION);
            if (q.getType() == Type.CAA) {
                caaQuestions.add(name);
            }
            if (failing.contains(name)) {
                response.getHeader().setRcode(Rcode.SERVFAIL);
                return response.toWire();
            }
            if (q.getType() == Type.CAA) {
                for (Caa c : caa.getOrDefault(name, List.of())) {
                    response.addRecord(Record.newRecord(q.getName(), Type.CAA, DClass.IN, 60, c.rdata()),
                            Section.ANSWER);
                }
            } else if (q.getType() == Type.TXT) {
                for (String value : txt.getOrDefault(name, List.of())) {
                    response.addRecord(new TXTRecord(q.getName(), DClass.IN, 60, value), Section.ANSWER);
                }
            }
            return response.toWire();
        } catch (IOException | RuntimeException e) {
            return null;   // not a query we understand: stay silent
        }
    }

    private static String key(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
