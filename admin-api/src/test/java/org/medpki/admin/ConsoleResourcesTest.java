package org.medpki.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The console's files obey its Content-Security-Policy and its rule on data: no inline script or
 * style (the policy would block it, and so would hide a mistake only at run time), no event handler
 * attributes, and no API that parses data as markup.
 */
class ConsoleResourcesTest {
    private static final Path ROOT = Path.of("src/main/resources").resolve(Console.ROOT);

    private static List<Path> files() throws IOException {
        try (Stream<Path> walk = Files.walk(ROOT)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Test
    void theConsoleHasItsPagesAndTheirRoutes() throws IOException {
        assertThat(files()).extracting(p -> ROOT.relativize(p).toString().replace('\\', '/'))
                .contains("index.html", "app.js", "api.js", "console.css", "pages/inventory.js", "pages/certificate.js",
                        "pages/approvals.js", "pages/revocations.js", "pages/audit.js", "pages/signin.js");
        String app = Files.readString(ROOT.resolve("app.js"));
        for (String page : List.of("inventory", "certificate", "approvals", "revocations", "timeline", "kpis", "audit")) {
            assertThat(app).contains("page: '" + page + "'");
        }
    }

    @Test
    void noInlineScriptStyleOrHandlerInHtml() throws IOException {
        Pattern inlineScript = Pattern.compile("(?is)<script(?![^>]*\\bsrc=)[^>]*>");
        Pattern handler = Pattern.compile("(?i)\\son[a-z]+\\s*=");
        Pattern style = Pattern.compile("(?i)<style|\\sstyle\\s*=|javascript:");
        for (Path p : files()) {
            if (!p.toString().endsWith(".html")) {
                continue;
            }
            String html = Files.readString(p);
            assertThat(inlineScript.matcher(html).find()).as(p + ": inline script").isFalse();
            assertThat(handler.matcher(html).find()).as(p + ": event handler attribute").isFalse();
            assertThat(style.matcher(html).find()).as(p + ": inline style or javascript: URL").isFalse();
            assertThat(html).as(p + ": a module script").contains("<script type=\"module\" src=\"app.js\">");
        }
    }

    @Test
    void scriptsNeverParseDataAsMarkupOrCode() throws IOException {
        Pattern markup = Pattern.compile("innerHTML|outerHTML|insertAdjacentHTML|document\\.write|\\beval\\s*\\("
                + "|new\\s+Function|setTimeout\\s*\\(\\s*['\"`]|javascript:|\\.style\\b|setAttribute\\(\\s*['\"]style");
        List<Path> scripts = files().stream().filter(p -> p.toString().endsWith(".js")).toList();
        assertThat(scripts).hasSizeGreaterThanOrEqualTo(8);
        for (Path p : scripts) {
            String js = Files.readString(p);
            var m = markup.matcher(js);
            String found = m.find() ? js.substring(Math.max(0, m.start() - 40), Math.min(js.length(), m.end() + 40)) : null;
            assertThat(found).as(p + ": markup or code from data").isNull();
            // The SVG namespace name is an identifier, not a place anything is loaded from.
            assertThat(js.replace("'http://www.w3.org/2000/svg'", "")).as(p + ": nothing from elsewhere")
                    .doesNotContainPattern("(?i)https?://");
        }
    }

    @Test
    void thePolicyAllowsOnlyThisOrigin() {
        assertThat(Console.CSP).contains("default-src 'none'", "script-src 'self'", "style-src 'self'",
                "frame-ancestors 'none'", "base-uri 'none'", "connect-src 'self'").doesNotContain("unsafe");
    }
}
