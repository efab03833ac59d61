package org.medpki.ops.services;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.medpki.ops.install.PkiHome;

/**
 * PKI_HOME/run/services.json: the services a running 'pki up' serves, with its process id, so
 * that 'pki status' lists only services that are really up.
 */
public final class RunningServices {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RunningServices() {
    }

    public record Service(String name, String url) {
    }

    public static void write(PkiHome home, List<Service> services) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("pid", ProcessHandle.current().pid());
        doc.put("services", services.stream().map(s -> Map.of("name", s.name(), "url", s.url())).toList());
        Files.createDirectories(home.runningServices().getParent());
        Files.writeString(home.runningServices(), JSON.writeValueAsString(doc));
    }

    public static void clear(PkiHome home) {
        try {
            Files.deleteIfExists(home.runningServices());
        } catch (IOException e) {
            // A stale file is ignored by read() once its process is gone.
        }
    }

    /** The services of a live 'pki up', or an empty list. */
    public static List<Map<String, Object>> read(PkiHome home) {
        if (!Files.exists(home.runningServices())) {
            return List.of();
        }
        try {
            Map<String, Object> doc = JSON.readValue(home.runningServices().toFile(), new TypeReference<>() {
            });
            long pid = ((Number) doc.get("pid")).longValue();
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> services = (List<Map<String, Object>>) doc.get("services");
                return services;
            }
        } catch (IOException | RuntimeException e) {
            // Unreadable: treat as nothing running.
        }
        return List.of();
    }
}
