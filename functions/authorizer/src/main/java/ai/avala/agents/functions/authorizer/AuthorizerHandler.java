package ai.avala.agents.functions.authorizer;

import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import ai.avala.agents.lambda.SnapStartPriming;
import ai.avala.agents.log.Log;
import ai.avala.agents.store.ApiKeyStore;
import ai.avala.agents.wiring.Wiring;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * The API's REQUEST authorizer: looks up the SHA-256 hash of {@code X-Avala-Api-Key} and allows the
 * whole API for the key's tenant, which reaches the handlers as {@code requestContext.authorizer.tenant}.
 * Because API Gateway caches the answer per key, the policy covers every method and path of the stage.
 * The tenant's usage key puts its requests in its own throttle of the usage plan (API key source
 * {@code AUTHORIZER}). An unknown key is answered by throwing "Unauthorized", which API Gateway turns into a 401.
 */
public final class AuthorizerHandler implements RequestStreamHandler {

    public static final String HEADER = "X-Avala-Api-Key";
    private final ApiKeyStore keys;

    public AuthorizerHandler() {
        this(Wiring.fromProcessEnvironment());
    }

    public AuthorizerHandler(Wiring wiring) {
        this.keys = wiring.apiKeys();
        // Warms the SDK's read path with a key that cannot exist (keys are avk_ + 43 characters).
        ApiKeyStore keys = this.keys;
        SnapStartPriming.register("AuthorizerHandler", () -> keys.tenantOf("avk_snapstart_priming"));
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        Log.startInvocation(context);
        Json.write(output, authorize(Json.parse(input)));
    }

    /** The policy for the request's API key, read from API Gateway's REQUEST authorizer event. */
    public Map<String, Object> authorize(JsonValue event) {
        String key = header(event.path("headers"));
        if (key == null || key.isBlank() || key.length() > 256) {
            throw new UnauthorizedException();
        }
        String tenant = keys.tenantOf(key.strip()).orElseThrow(UnauthorizedException::new);
        return Map.of(
                "principalId", tenant,
                "policyDocument",
                        Map.of(
                                "Version",
                                "2012-10-17",
                                "Statement",
                                List.of(Map.of(
                                        "Action", "execute-api:Invoke",
                                        "Effect", "Allow",
                                        "Resource",
                                                wholeStage(
                                                        event.path("methodArn").textValue())))),
                "context", Map.of("tenant", tenant),
                "usageIdentifierKey", ApiKeyStore.usageKey(tenant));
    }

    private static String header(JsonValue headers) {
        for (var entry : headers.properties()) {
            if (HEADER.equalsIgnoreCase(entry.getKey())) {
                return entry.getValue().textValue();
            }
        }
        return null;
    }

    /** {@code arn:aws:execute-api:region:account:api/stage/METHOD/path} becomes {@code .../api/stage/*}. */
    static String wholeStage(String methodArn) {
        if (methodArn == null) {
            return "*";
        }
        String[] parts = methodArn.split("/", 3);
        return parts.length < 2 ? methodArn : parts[0] + "/" + parts[1] + "/*";
    }

    /** API Gateway answers 401 exactly when the authorizer fails with the message "Unauthorized". */
    public static final class UnauthorizedException extends RuntimeException {
        public UnauthorizedException() {
            super("Unauthorized", null, false, false);
        }
    }
}
