package ai.avala.agents.api;

import java.util.LinkedHashMap;
import java.util.Map;

/** An API Gateway proxy integration answer: status, headers and body (null for none). */
public record ApiResponse(int statusCode, Map<String, String> headers, String body) {

    public ApiResponse {
        headers = Map.copyOf(headers);
    }

    /** The answer as Lambda returns it to API Gateway. */
    public Map<String, Object> toEvent() {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("statusCode", statusCode);
        event.put("headers", headers);
        event.put("body", body);
        event.put("isBase64Encoded", false);
        return event;
    }
}
