package org.medpki.ops.cli;

/** Who the audit log names for a command-line action. */
final class Actors {
    private Actors() {
    }

    static String cli() {
        return "cli:" + System.getProperty("user.name", "unknown");
    }
}
