package ai.avala.agents.api;

import ai.avala.agents.json.Json;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The base of every API handler: the one place where outcomes become HTTP answers. A handler's
 * {@link #handle} parses, validates, calls one service method and returns the response; anything it
 * throws that is not an {@link ApiException} is logged here and answered with a generic 500.
 */
public abstract class ApiFunction implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private static final Logger LOG = Logger.getLogger(ApiFunction.class.getName());

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
