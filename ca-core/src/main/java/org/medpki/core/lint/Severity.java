package org.medpki.core.lint;

/** How bad a lint finding is: errors stop signing, warnings are logged. */
public enum Severity {
    ERROR, WARNING
}
