package ai.avala.agents.local.emulator;

import ai.avala.agents.config.Configuration;
import ai.avala.agents.wiring.Wiring;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import java.time.Clock;
import java.util.Map;

/**
 * One emulator per JVM for tests: the endpoint in {@code AWS_ENDPOINT_URL} if one is set, otherwise a
 * moto server started on first use and stopped when the JVM exits. The template's tables and queues
 * are created once.
 */
public final class LocalAws {

    private static LocalResources shared;

    private LocalAws() {}

    public static synchronized LocalResources shared() {
        if (shared == null) {
            String endpoint = System.getenv("AWS_ENDPOINT_URL");
            if (endpoint == null || endpoint.isBlank()) {
                endpoint = MotoServer.start().endpoint();
            }
            shared = LocalResources.provision(SamTemplate.load(SamTemplate.locate()), endpoint);
        }
        return shared;
    }

    /** The variables the template gives {@code functionId}, pointed at the shared emulator. */
    public static Map<String, String> environmentFor(String functionId, Map<String, String> overrides) {
        return FunctionEnvironment.of(shared(), functionId, overrides);
    }

    /** What the handler of {@code functionId} is built from, with {@code overrides} of its variables. */
    public static Wiring wiringFor(String functionId, Map<String, String> overrides) {
        return new Wiring(Configuration.from(environmentFor(functionId, overrides)), Clock.systemUTC());
    }

    /** A sample event of the project's {@code events/} folder (beside template.yaml). */
    public static String eventFile(String name) {
        return SamTemplate.locate().getParent().resolve("events").resolve(name).toString();
    }

    /**
     * The sample API Gateway event {@code file} of events/, as sent by {@code tenant} (the authorizer's
     * context) about the agent {@code uid} (null keeps the file's path parameters).
     */
    public static APIGatewayProxyRequestEvent apiEvent(String file, String tenant, String uid) {
        var event = EventLoader.loadApiGatewayRestEvent(eventFile(file));
        event.getRequestContext().getAuthorizer().put("tenant", tenant);
        if (uid != null) {
            event.setPathParameters(Map.of("uid", uid));
        }
        return event;
    }

    /** Invokes an API function with an API Gateway proxy event, as Lambda does; its answer. */
    public static com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent invoke(
            com.amazonaws.services.lambda.runtime.RequestStreamHandler handler, APIGatewayProxyRequestEvent event) {
        return LambdaEvents.invoke(
                handler, event, com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent.class);
    }

    /** Invokes a queue function with an SQS event, as Lambda does; the messages it reported as failed. */
    public static com.amazonaws.services.lambda.runtime.events.SQSBatchResponse invoke(
            com.amazonaws.services.lambda.runtime.RequestStreamHandler handler,
            com.amazonaws.services.lambda.runtime.events.SQSEvent event) {
        return LambdaEvents.invoke(handler, event, com.amazonaws.services.lambda.runtime.events.SQSBatchResponse.class);
    }

    /** What a function needs to reach an emulator: endpoint, region and (dummy) credentials. */
    public static Configuration.Aws awsFor(String endpoint) {
        return Configuration.Aws.emulator(endpoint, LocalResources.REGION);
    }
}
