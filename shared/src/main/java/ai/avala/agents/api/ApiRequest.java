package ai.avala.agents.api;

import ai.avala.agents.ids.Ids;
import ai.avala.agents.json.JsonValue;
import ai.avala.agents.log.Log;
import ai.avala.agents.paging.PageRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The parts of an API Gateway proxy event that handlers use. The tenant comes only from the
 * authorizer's context, never from anything the caller sent.
 */
public record ApiRequest(JsonValue event) {

    /** Far above the largest valid request (an agent with every field at its limit is about 15 KB). */
    public static final int MAX_BODY_BYTES = 64 * 1024;

    public String tenant() {
        String tenant =
                event.path("requestContext").path("authorizer").path("tenant").textValue();
        if (tenant == null || tenant.isBlank()) {
            throw ApiException.unauthorized();
        }
        Log.tag("tenant", tenant);
        return tenant;
    }

    public String httpMethod() {
        return event.path("httpMethod").asText("");
    }

    public String resource() {
        return event.path("resource").asText("");
    }

    public String pathParameter(String name) {
        String value = event.path("pathParameters").path(name).textValue();
        if (value == null || value.isBlank()) {
            throw ApiException.notFound();
        }
        return value;
    }

    /**
     * The {@code {uid}} path parameter, checked to be an agent uid before anything reads with it: a key
     * DynamoDB would refuse (over 1,024 bytes) or one that cannot exist is a 400, never a 500.
     */
    public String agentUid() {
        String uid = pathParameter("uid");
        if (!Ids.isAgentUid(uid)) {
            throw ApiException.badRequest("Invalid agent uid: expected agent_ followed by 26 letters and digits.");
        }
        return uid;
    }

    /** The {@code {execution_uid}} path parameter, checked to be an execution uid. */
    public String executionUid() {
        String uid = pathParameter("execution_uid");
        if (!Ids.isExecutionUid(uid)) {
            throw ApiException.badRequest("Invalid execution uid: expected exec_ followed by 26 letters and digits.");
        }
        return uid;
    }

    public String query(String name) {
        return event.path("queryStringParameters").path(name).textValue();
    }

    private Map<String, String> queryParameters() {
        Map<String, String> query = new LinkedHashMap<>();
        event.path("queryStringParameters").properties().forEach(entry -> {
            if (entry.getValue().isTextual()) {
                query.put(entry.getKey(), entry.getValue().textValue());
            }
        });
        return query;
    }

    /**
     * {@code limit} (1..100, default 20) and {@code cursor} of a list request; 400 for a limit out of range, and for
     * a query parameter the list does not take ({@code limit}, {@code cursor} and {@code others}): a misspelt one
     * would otherwise be ignored silently.
     */
    public PageRequest page(String... others) {
        java.util.List<String> known = new java.util.ArrayList<>(java.util.List.of("limit", "cursor"));
        known.addAll(java.util.List.of(others));
        for (String name : event.path("queryStringParameters").isObject()
                ? (Iterable<String>) () -> event.path("queryStringParameters").fieldNames()
                : java.util.List.<String>of()) {
            if (!known.contains(name)) {
                String shown = name.length() > 64 ? name.substring(0, 64) + "..." : name;
                throw ApiException.invalid(
                        "Unknown query parameter \"" + shown + "\": this list takes " + String.join(", ", known) + ".",
                        java.util.Map.of(shown, java.util.List.of("Unknown query parameter.")));
            }
        }
        String limitText = query("limit");
        String cursor = query("cursor");
        String startAt = cursor == null || cursor.isBlank() ? null : cursor;
        if (limitText == null || limitText.isBlank()) {
            return new PageRequest(java.util.OptionalInt.empty(), startAt);
        }
        int limit;
        try {
            limit = Integer.parseInt(limitText.trim());
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > PageRequest.MAX_LIMIT) {
            throw ApiException.invalid(
                    "Invalid limit: must be an integer from 1 to " + PageRequest.MAX_LIMIT + ".",
                    java.util.Map.of(
                            "limit", java.util.List.of("Must be an integer from 1 to " + PageRequest.MAX_LIMIT + ".")));
        }
        return PageRequest.of(limit, startAt);
    }

    public String body() {
        String body = event.path("body").textValue();
        if (body == null) {
            return "";
        }
        if (event.path("isBase64Encoded").asBoolean()) {
            try {
                body = new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("Request body is not valid base64.");
            }
        }
        // Characters first: a body of more characters than bytes allowed is too large whatever its encoding.
        if (body.length() > MAX_BODY_BYTES || body.getBytes(StandardCharsets.UTF_8).length > MAX_BODY_BYTES) {
            throw new ApiException(413, "Request body is larger than " + MAX_BODY_BYTES + " bytes.", null);
        }
        return body;
    }

    public String header(String name) {
        for (var entry : event.path("headers").properties()) {
            if (entry.getKey().equalsIgnoreCase(name)) {
                return entry.getValue().textValue();
            }
        }
        return null;
    }

    /**
     * The absolute URL of this same resource with the given query, as the caller addressed it
     * (including the stage in the path), for the {@code next} link of a page.
     */
    public String selfUrl(Map<String, String> query) {
        String proto = header("X-Forwarded-Proto");
        String host = header("Host");
        String path = event.path("requestContext")
                .path("path")
                .asText(event.path("path").asText(""));
        StringBuilder url = new StringBuilder();
        if (host != null && !host.isBlank()) {
            url.append(proto == null || proto.isBlank() ? "https" : proto)
                    .append("://")
                    .append(host);
        }
        url.append(path);
        StringJoiner joined = new StringJoiner("&");
        new LinkedHashMap<>(query).forEach((key, value) -> {
            if (value != null) {
                joined.add(encode(key) + "=" + encode(value));
            }
        });
        if (joined.length() > 0) {
            url.append('?').append(joined);
        }
        return url.toString();
    }

    /** The URL of the next page: this request's query with {@code cursor} replaced. */
    public String nextPageUrl(String cursor) {
        Map<String, String> query = queryParameters();
        query.put("cursor", cursor);
        return selfUrl(query);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
