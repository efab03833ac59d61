package org.medpki.ops.services;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.medpki.ops.install.PkiHome;

/**
 * PKI_HOME/run/services/: one file per running service process ({@code <name>-<instance>.json})
 * with what it serves and its process id, so that 'pki status' lists only services that are
 * really up, wherever they were started from ('pki serve', 'pki up').
 */
public final class RunningServices {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RunningServices() {
    }

    /** One endpoint of a service: {@code name} is ca, acme, ocsp, crl or repository. */
    public record Service(String name, String url) {
    }

    /** Records this process's endpoints; returns the file to {@link #clear} on the way out. */
    public static Path register(PkiHome home, String service, String instance, List<Service> endpoints)
            throws IOException {
        Files.createDirectories(home.runningServices());
        Path file = home.runningServices().resolve(service + "-" + instance.replaceAll("[^A-Za-z0-9_.-]", "_")
                + ".json");
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("pid", ProcessHandle.current().pid());
        doc.put("instance", instance);
        doc.put("services", endpoints.stream().map(s -> Map.of("name", s.name(), "url", s.url())).toList());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, JSON.writeValueAsString(doc));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    public static void clear(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A stale file is ignored by read() once its process is gone.
        }
    }

    /** The endpoints of live service processes: name, url, pid, instance. */
    public static List<Map<String, Object>> read(PkiHome home) {
        List<Map<String, Object>> all = new ArrayList<>();
        if (!Files.isDirectory(home.runningServices())) {
            return all;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(home.runningServices(), "*.json")) {
            for (Path f : files) {
                try {
                    Map<String, Object> doc = JSON.readValue(f.toFile(), new TypeReference<>() {
                    });
                    long pid = ((Number) doc.get("pid")).longValue();
                    if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                        continue;
                    }
                    @SuppressWarnings("unchecked")
                    List<Map<String, Object>> services = (List<Map<String, Object>>) doc.get("services");
                    for (Map<String, Object> s : services) {
                        Map<String, Object> entry = new LinkedHashMap<>(s);
                        entry.put("pid", pid);
                        entry.put("instance", doc.get("instance"));
                        all.add(entry);
                    }
                } catch (IOException | RuntimeException e) {
                    // Unreadable or half-written: treat as not running.
                }
            }
        } catch (IOException e) {
            return all;
        }
        all.sort(Comparator.comparing((Map<String, Object> m) -> String.valueOf(m.get("name")))
                .thenComparing(m -> String.valueOf(m.get("instance"))));
        return all;
    }
}
