package org.medpki.ops.install;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/** Reads and writes config.yaml strictly: an unknown or missing key is an error that names it. */
public final class ConfigFiles {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private ConfigFiles() {
    }

    public static InstallationConfig read(Path file) {
        try {
            return YAML.readValue(file.toFile(), InstallationConfig.class);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, file + " does not exist: run 'pki init' first");
        } catch (JsonMappingException e) {
            String path = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName()
                    : String.valueOf(r.getIndex())).collect(Collectors.joining("."));
            String why = e.getOriginalMessage();
            if (e.getCause() instanceof IllegalArgumentException iae) {
                why = iae.getMessage();
            }
            throw new PkiException(ErrorKind.CONFIGURATION, file + ": " + (path.isEmpty() ? "" : "key '" + path
                    + "': ") + firstLine(why));
        } catch (IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, file + " cannot be read: " + firstLine(e.getMessage()));
        }
    }

    public static void write(Path file, InstallationConfig config) {
        try {
            Files.createDirectories(file.getParent());
            String header = "# medpki installation configuration, written by 'pki init'. Secrets do not belong here:\n"
                    + "# the token PIN comes from PKI_TOKEN_PIN or PKI_TOKEN_PIN_FILE, the OCSP token's from\n"
                    + "# PKI_OCSP_TOKEN_PIN or PKI_OCSP_TOKEN_PIN_FILE.\n";
            Files.writeString(file, header + YAML.writeValueAsString(config));
        } catch (IOException e) {
            throw new PkiException(ErrorKind.CONFIGURATION, "cannot write " + file + ": " + e.getMessage());
        }
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "invalid";
        }
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }
}
