package ai.avala.agents.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import ai.avala.agents.ids.Ids;
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
public record ApiRequest(APIGatewayProxyRequestEvent event) {

    /** Far above the largest valid request (an agent with every field at its limit is about 15 KB). */
    public static final int MAX_BODY_BYTES = 64 * 1024;

    public String tenant() {
        var context = event.getRequestContext();
        Object tenant = context == null || context.getAuthorizer() == null ? null : context.getAuthorizer().get("tenant");
        if (!(tenant instanceof String value) || value.isBlank()) {
            throw ApiException.unauthorized();
        }
        return value;
    }

    public String pathParameter(String name) {
        Map<String, String> params = event.getPathParameters();
        String value = params == null ? null : params.get(name);
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

    public String query(String name) {
        Map<String, String> query = event.getQueryStringParameters();
        return query == null ? null : query.get(name);
    }

    public String body() {
        String body = event.getBody();
        if (body == null) {
            return "";
        }
        if (Boolean.TRUE.equals(event.getIsBase64Encoded())) {
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
        Map<String, String> headers = event.getHeaders();
        if (headers == null) {
            return null;
        }
        for (var entry : headers.entrySet()) {
            if (entry.getKey().equalsIgnoreCase(name)) {
                return entry.getValue();
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
        var context = event.getRequestContext();
        String path = context != null && context.getPath() != null ? context.getPath() : event.getPath();
        StringBuilder url = new StringBuilder();
        if (host != null && !host.isBlank()) {
            url.append(proto == null || proto.isBlank() ? "https" : proto).append("://").append(host);
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
        Map<String, String> query = new LinkedHashMap<>();
        if (event.getQueryStringParameters() != null) {
            query.putAll(event.getQueryStringParameters());
        }
        query.put("cursor", cursor);
        return selfUrl(query);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
