package org.medpki.acme.validation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A static name map in /etc/hosts format (address then names; '#' comments), for labs. */
public final class HostsFile {
    private final Path file;

    public HostsFile(Path file) {
        this.file = file;
    }

    /**
     * The addresses listed for {@code name}. The file is read on each look-up, so a lab (or a test)
     * can add names while the server runs.
     */
    public List<InetAddress> lookup(String name) {
        return read().getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    private Map<String, List<InetAddress>> read() {
        Map<String, List<InetAddress>> map = new HashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the hosts file " + file, e);
        }
        for (String line : lines) {
            String content = line.contains("#") ? line.substring(0, line.indexOf('#')) : line;
            String[] parts = content.trim().split("\\s+");
            if (parts.length < 2 || !parts[0].matches("[0-9a-fA-F:.]+")) {
                continue;
            }
            InetAddress address;
            try {
                address = InetAddress.getByName(parts[0]);
            } catch (UnknownHostException e) {
                continue;
            }
            for (int i = 1; i < parts.length; i++) {
                map.computeIfAbsent(parts[i].toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(address);
            }
        }
        return map;
    }
}
