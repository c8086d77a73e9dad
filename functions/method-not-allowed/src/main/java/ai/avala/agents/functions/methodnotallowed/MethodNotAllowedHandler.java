package ai.avala.agents.functions.methodnotallowed;

import ai.avala.agents.api.ApiFunction;
import ai.avala.agents.api.ApiRequest;
import ai.avala.agents.api.ApiResponse;
import ai.avala.agents.api.ApiResponses;
import ai.avala.agents.wiring.Wiring;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code ANY} on each path of the API, which API Gateway routes here for the methods the path does not
 * declare: 405 with the {@code Allow} header (API Gateway's own answer would be a misleading 403 "Missing
 * Authentication Token"). {@link #ALLOWED} must list what template.yaml routes (a test holds it to that).
 */
public final class MethodNotAllowedHandler extends ApiFunction {

    static final Map<String, String> ALLOWED = Map.of(
            "/api/v1/agents", "GET, POST",
            "/api/v1/agents/{uid}", "GET, PATCH, DELETE",
            "/api/v1/agents/{uid}/executions", "GET",
            "/api/v1/agents/{uid}/test", "POST",
            "/api/v1/agents/{uid}/executions/{execution_uid}/redeliver", "POST",
            "/api/v1/agents/{uid}/redeliver-failed", "POST",
            "/api/v1/agents/{uid}/rotate-secret", "POST",
            "/api/v1/agent-actions", "POST",
            "/api/v1/event-types", "GET");

    /** Lambda's: this function reads no configuration and builds no client. */
    public MethodNotAllowedHandler() {}

    /** The local stack's and the tests', as for every handler: it needs nothing of what the wiring holds. */
    public MethodNotAllowedHandler(Wiring wiring) {}

    @Override
    protected ApiResponse handle(ApiRequest request) {
        String allowed = ALLOWED.get(request.resource());
        ApiResponse error = ApiResponses.error(
                405,
                "Method " + request.httpMethod() + " is not allowed here"
                        + (allowed == null ? "." : "; use " + allowed + "."),
                null);
        Map<String, String> headers = new LinkedHashMap<>(error.headers());
        if (allowed != null) {
            headers.put("Allow", allowed);
        }
        return new ApiResponse(405, headers, error.body());
    }
}
