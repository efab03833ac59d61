package org.medpki.acme;

import io.vertx.core.json.JsonArray;

/** Account contacts: mailto: URLs only, a few of them. */
final class Contacts {
    private Contacts() {
    }

    static JsonArray check(Object value) {
        if (value == null) {
            return new JsonArray();
        }
        if (!(value instanceof JsonArray list) || list.size() > 10) {
            throw new AcmeException(ProblemType.MALFORMED, "contact must be an array of at most 10 URLs");
        }
        for (Object o : list) {
            if (!(o instanceof String s) || !s.matches("mailto:[^,?\\s]{1,250}@[A-Za-z0-9.-]{1,250}")) {
                throw new AcmeException(ProblemType.UNSUPPORTED_CONTACT, "only single mailto: contacts are supported");
            }
        }
        return list;
    }
}
