package org.medpki.admin.notice;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/** The notices as text (the e-mail's body) and as JSON (the webhook's body, see README "Expiry notices"). */
final class NoticeText {
    private NoticeText() {
    }

    static String body(List<DueNotice> notices) {
        StringBuilder b = new StringBuilder();
        b.append("These certificates expire soon and have no replacement yet. Renew each before its notAfter;\n")
                .append("this notice is sent once per window.\n\n");
        for (DueNotice n : sorted(notices)) {
            Expiring c = n.certificate();
            b.append("- ").append(c.ca() ? "CA certificate (" + c.profile() + ")" : "certificate").append('\n')
                    .append("  serial:   ").append(c.serial().toString(16)).append('\n')
                    .append("  subject:  ").append(oneLine(c.subject())).append('\n');
            if (!c.sans().isEmpty()) {
                b.append("  names:    ").append(oneLine(String.join(", ", c.sans()))).append('\n');
            }
            if (!c.ca()) {
                b.append("  profile:  ").append(c.profile()).append('\n');
            }
            b.append("  notAfter: ").append(c.notAfter()).append('\n')
                    .append("  window:   ").append(n.windowDays()).append(" days\n");
            if (c.owner() != null) {
                b.append("  owner:    ").append(oneLine(c.owner())).append('\n');
            }
            b.append('\n');
        }
        return b.toString();
    }

    static JsonObject json(List<DueNotice> notices, Instant at) {
        JsonArray items = new JsonArray();
        for (DueNotice n : sorted(notices)) {
            Expiring c = n.certificate();
            items.add(new JsonObject().put("kind", c.ca() ? "ca" : "certificate").put("caId", c.caId())
                    .put("serial", c.serial().toString(16)).put("subject", c.subject())
                    .put("sans", new JsonArray(c.sans())).put("profile", c.profile())
                    .put("notAfter", c.notAfter().toString()).put("windowDays", n.windowDays())
                    .put("owner", c.owner()).put("ownerContact", c.ownerContact()));
        }
        return new JsonObject().put("type", "medpki.expiry-notice").put("sentAt", at.toString())
                .put("certificates", items);
    }

    private static List<DueNotice> sorted(List<DueNotice> notices) {
        return notices.stream().sorted(Comparator.comparing((DueNotice n) -> n.certificate().notAfter())).toList();
    }

    /** Names and subjects come from requests: no line breaks of theirs in the message. */
    private static String oneLine(String s) {
        return s.replaceAll("[\\p{Cntrl}]", "?");
    }
}
