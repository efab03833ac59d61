package org.medpki.ops.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medpki.core.error.ErrorKind;
import org.medpki.core.error.PkiException;

/** PKI_DATABASE_PASSWORD_FILE: one line, mode 600; every refusal names the file, never its content. */
class DatabasePasswordFileTest {
    @TempDir
    Path tmp;

    private Path file(String content, String mode) throws Exception {
        Path f = tmp.resolve("pw-" + System.nanoTime());
        Files.writeString(f, content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    @Test
    void readsOneLine() throws Exception {
        assertThat(PkiContext.databasePasswordFile(file("s3cret-Pass\n", "rw-------").toString())).isEqualTo("s3cret-Pass");
        assertThat(PkiContext.databasePasswordFile(file("no newline", "r--------").toString())).isEqualTo("no newline");
    }

    @Test
    void refusesWithOneLineWithoutTheContent() throws Exception {
        assertRefused(file("s3cret-Pass\n", "rw-r--r--").toString(), "readable by other users");
        assertRefused(file("\n", "rw-------").toString(), "is empty");
        assertRefused(file("s3cret-Pass\nsecond\n", "rw-------").toString(), "more than one line");
        assertRefused(tmp.resolve("missing").toString(), "does not exist");
        assertRefused(" ", "set but empty");
    }

    private static void assertRefused(String name, String why) {
        assertThatThrownBy(() -> PkiContext.databasePasswordFile(name)).isInstanceOf(PkiException.class)
                .satisfies(e -> {
                    PkiException p = (PkiException) e;
                    assertThat(p.kind()).isEqualTo(ErrorKind.CONFIGURATION);
                    assertThat(p.publicDetail()).contains("PKI_DATABASE_PASSWORD_FILE").contains(why)
                            .doesNotContain("s3cret").doesNotContain("\n");
                });
    }
}
