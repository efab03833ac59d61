package org.medpki.admin;

import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/** A PKI administrator: the name their certificates carry (CN) and the roles they hold. */
public record Admin(String name, Set<AdminRole> roles) {
    /** The certificate profile of administrators' client certificates. */
    public static final String PROFILE = "admin";

    /** Letters, digits, space, dot, underscore, @ and hyphen; 1-128 characters, starting with a letter or digit. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._@-]{0,127}");

    public Admin {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("an administrator's name is 1-128 letters, digits, spaces or . _ @ -, "
                    + "starting with a letter or digit");
        }
        roles = Set.copyOf(roles);
        if (roles.isEmpty()) {
            throw new IllegalArgumentException("an administrator holds at least one role");
        }
    }

    public boolean holds(AdminRole role) {
        return roles.contains(role);
    }
}
