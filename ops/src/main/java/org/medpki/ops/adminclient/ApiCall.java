package org.medpki.ops.adminclient;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One call of the admin API: method, path under {@code /api/v1/}, query parameters (nulls left
 * out) and, for a POST, a JSON body.
 */
public record ApiCall(String method, String path, Map<String, String> query, String jsonBody) {

    public ApiCall {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Map<String, String> given = new LinkedHashMap<>();
        if (query != null) {
            query.forEach((k, v) -> {
                if (v != null) {
                    given.put(k, v);
                }
            });
        }
        query = java.util.Collections.unmodifiableMap(given);
    }

    public static ApiCall get(String path, Map<String, String> query) {
        return new ApiCall("GET", path, query, null);
    }

    public static ApiCall post(String path, String jsonBody) {
        return new ApiCall("POST", path, Map.of(), jsonBody);
    }

    /** A path segment from an operator's argument (a request id), so that it cannot reach another path. */
    public static String segment(String value) {
        return encode(value);
    }

    /** The path and query, percent-encoded. */
    String target() {
        String q = query.entrySet().stream().map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
        return "/api/v1/" + path + (q.isEmpty() ? "" : "?" + q);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
