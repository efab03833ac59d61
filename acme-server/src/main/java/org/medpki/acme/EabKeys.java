package org.medpki.acme;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.medpki.core.name.DnsNameSyntax;

/** Makes External Account Binding keys ('pki eab new'): a random key id and a 256-bit HMAC key. */
public final class EabKeys {
    private static final SecureRandom RANDOM = new SecureRandom();

    private EabKeys() {
    }

    /** A new key; the caller stores it and shows the secret once. Patterns are checked here. */
    public static EabKey generate(String profile, List<String> patterns) {
        return generate(List.of(profile), patterns);
    }

    /** A new key whose account may use these profiles, the first by default. */
    public static EabKey generate(List<String> profiles, List<String> patterns) {
        if (profiles.isEmpty()) {
            throw new IllegalArgumentException("--profile needs at least one profile");
        }
        if (patterns.isEmpty()) {
            throw new IllegalArgumentException("--names needs at least one name pattern (www.example.org or *.example.org)");
        }
        for (String p : patterns) {
            String problem = DnsNameSyntax.problem(DnsNameSyntax.normalize(p), true);
            if (problem != null) {
                throw new IllegalArgumentException("name pattern '" + p + "' is not valid: " + problem);
            }
        }
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return new EabKey("eab-" + AcmeIds.newId(), key, profiles,
                patterns.stream().map(DnsNameSyntax::normalize).toList(), null);
    }

    public static String encode(byte[] hmacKey) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(hmacKey);
    }
}
