package ai.avala.agents.api;

import ai.avala.agents.config.SnapStartPriming;
import ai.avala.agents.json.Json;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The base of every API handler: the one place where outcomes become HTTP answers. A handler's
 * {@link #handle} parses, validates, calls one service method and returns the response; anything it
 * throws that is not an {@link ApiException} is logged here and answered with a generic 500.
 */
public abstract class ApiFunction implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private static final Logger LOG = Logger.getLogger(ApiFunction.class.getName());
    /** A tenant no API key maps to: priming requests read its (empty) data and never write. */
    public static final String PRIMING_TENANT = "__snapstart_priming__";

    protected ApiFunction() {
        SnapStartPriming.register(getClass().getSimpleName(), () -> handleRequest(primingRequest(), null));
    }

    /**
     * A request every handler answers without writing: an agent that does not exist (404), an empty
     * list, or an empty body that fails validation (400), walking the JSON and DynamoDB read paths.
     */
    static APIGatewayProxyRequestEvent primingRequest() {
        var context = new APIGatewayProxyRequestEvent.ProxyRequestContext()
                .withPath("/api/v1/agents/").withStage("priming").withHttpMethod("GET");
        context.setAuthorizer(Map.of("tenant", PRIMING_TENANT));
        return new APIGatewayProxyRequestEvent()
                .withHttpMethod("GET")
                .withPath("/api/v1/agents/")
                .withHeaders(Map.of("Host", "localhost", "Content-Type", "application/json"))
                .withQueryStringParameters(Map.of("limit", "1"))
                .withPathParameters(Map.of("uid", "agent_00000000000000000000000000"))
                .withBody("{}")
                .withRequestContext(context);
    }

    protected abstract APIGatewayProxyResponseEvent handle(ApiRequest request);

    @Override
    public final APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        try {
            return handle(new ApiRequest(event));
        } catch (ApiException e) {
            return ApiResponses.error(e.status(), e.getMessage(), e.fieldErrors());
        } catch (Json.MalformedJsonException e) {
            return ApiResponses.error(400, e.getMessage(), null);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "Unhandled error in " + getClass().getSimpleName()
                    + " for " + event.getHttpMethod() + " " + event.getResource(), e);
            return ApiResponses.error(500, "Internal server error.", null);
        }
    }
}
