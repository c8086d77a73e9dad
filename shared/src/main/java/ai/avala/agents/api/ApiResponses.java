package ai.avala.agents.api;

import ai.avala.agents.json.Json;
import ai.avala.agents.model.Page;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

public final class ApiResponses {

    private static final Map<String, String> JSON_HEADERS = Map.of(
            "Content-Type", "application/json",
            "Cache-Control", "no-store");

    private ApiResponses() {}

    public static ApiResponse json(int status, Object body) {
        return new ApiResponse(status, JSON_HEADERS, Json.write(body));
    }

    public static ApiResponse noContent() {
        return new ApiResponse(204, Map.of("Cache-Control", "no-store"), null);
    }

    public static ApiResponse error(int status, String detail, Map<String, List<String>> fieldErrors) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("detail", detail);
        if (fieldErrors != null && !fieldErrors.isEmpty()) {
            body.put("errors", fieldErrors);
        }
        return json(status, body);
    }

    /** Seconds a client is told to wait before it tries again after a 503. */
    static final int RETRY_AFTER_SECONDS = 1;

    /** 503: a dependency failed after the retries; the request may be repeated after {@code Retry-After}. */
    public static ApiResponse unavailable() {
        ApiResponse error = error(503, "The service is briefly unavailable; please retry shortly.", null);
        Map<String, String> headers = new LinkedHashMap<>(error.headers());
        headers.put("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
        return new ApiResponse(503, headers, error.body());
    }

    /** A 200 answer with one page: {@code results}, {@code next} (a full URL carrying the cursor) and {@code previous}. */
    public static <T> ApiResponse page(ApiRequest request, Page<T> page, Function<T, Map<String, Object>> view) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("results", page.items().stream().map(view).toList());
        body.put("next", page.nextCursor() == null ? null : request.nextPageUrl(page.nextCursor()));
        body.put("previous", null);
        return json(200, body);
    }
}
