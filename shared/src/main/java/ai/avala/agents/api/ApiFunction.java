package ai.avala.agents.api;

import ai.avala.agents.aws.AwsFailures;
import ai.avala.agents.errors.ConflictException;
import ai.avala.agents.errors.InvalidInputException;
import ai.avala.agents.errors.NotFoundException;
import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import ai.avala.agents.lambda.SnapStartPriming;
import ai.avala.agents.log.Log;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The base of every API handler, and the one place where outcomes become HTTP answers. API Gateway's proxy
 * event is read as a stream into a {@link JsonValue} (no event classes, no reflection: what a function
 * loads before its first answer is what it uses); a handler's {@link #handle} parses, validates, calls one
 * service method and returns the response; anything it throws that is not an {@link ApiException} is
 * logged here and answered with a generic 500. The lower layers raise domain exceptions (not found,
 * conflict, invalid input); this is where they become 404, 409 and 400.
 */
public abstract class ApiFunction implements RequestStreamHandler {

    private static final Log LOG = Log.of(ApiFunction.class);
    /** A tenant no API key maps to: priming requests read its (empty) data and never write. */
    public static final String PRIMING_TENANT = "__snapstart_priming__";
    /**
     * A request every handler answers without writing: an agent that does not exist (404), an empty list, or
     * an empty body that fails validation (400), walking the JSON and DynamoDB read paths.
     */
    static final String PRIMING_REQUEST = "{\"httpMethod\": \"GET\", \"path\": \"/api/v1/agents/\", "
            + "\"headers\": {\"Host\": \"localhost\", \"Content-Type\": \"application/json\"}, "
            + "\"queryStringParameters\": {\"limit\": \"1\"}, \"pathParameters\": {\"uid\": \"agent_00000000000000000000000000\"}, "
            + "\"body\": \"{}\", \"requestContext\": {\"path\": \"/api/v1/agents/\", \"stage\": \"priming\", "
            + "\"authorizer\": {\"tenant\": \"" + PRIMING_TENANT + "\"}}}";

    protected ApiFunction() {
        SnapStartPriming.register(getClass().getSimpleName(), () -> respond(Json.parse(PRIMING_REQUEST)));
    }

    protected abstract ApiResponse handle(ApiRequest request);

    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        Log.startInvocation(context);
        ApiResponse response;
        try {
            response = respond(Json.parse(input));
        } catch (Json.MalformedJsonException e) {
            LOG.error("API Gateway sent an event that is not JSON: " + e.getMessage(), null);
            response = ApiResponses.error(500, "Internal server error.", null);
        }
        Json.write(output, response.toEvent());
    }

    /** The answer to one API Gateway proxy event. */
    public final ApiResponse respond(JsonValue event) {
        ApiRequest request = new ApiRequest(event);
        try {
            return handle(request);
        } catch (ApiException e) {
            return ApiResponses.error(e.status(), e.getMessage(), e.fieldErrors());
        } catch (InvalidInputException e) {
            return ApiResponses.error(400, e.getMessage(), e.fieldErrors());
        } catch (NotFoundException e) {
            return ApiResponses.error(404, e.getMessage(), null);
        } catch (ConflictException e) {
            return ApiResponses.error(409, e.getMessage(), null);
        } catch (Json.MalformedJsonException e) {
            return ApiResponses.error(400, e.getMessage(), null);
        } catch (RuntimeException e) {
            if (AwsFailures.isTransient(e)) {
                LOG.warn("A dependency failed after retries in " + getClass().getSimpleName() + "; answered 503", e);
                return ApiResponses.unavailable();
            }
            LOG.error(
                    "Unhandled error in " + getClass().getSimpleName() + " for " + request.httpMethod() + " "
                            + request.resource(),
                    e);
            return ApiResponses.error(500, "Internal server error.", null);
        }
    }
}
