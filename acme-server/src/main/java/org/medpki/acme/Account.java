package org.medpki.acme;

import com.nimbusds.jose.jwk.JWK;
import io.vertx.core.json.JsonArray;
import java.util.Objects;

/** An ACME account: its key (as a JWK and its RFC 7638 thumbprint), contacts, status, EAB binding. */
public record Account(String id, String thumbprint, JWK key, JsonArray contact, String status, String eabKid) {
    public Account {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(key, "key");
        contact = contact == null ? new JsonArray() : contact.copy();
    }

    public boolean valid() {
        return "valid".equals(status);
    }
}
