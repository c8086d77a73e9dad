package ai.avala.agents.local.coldstart;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The baseline of local/bench's cold starts: a handler written the way the SDK's getting-started guides
 * show, {@code DynamoDbClient.create()} (default HTTP client, credential and region chains) and one GetItem,
 * with API Gateway's event as a POJO that the runtime deserializes.
 */
public final class NaiveGetItemHandler
        implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final DynamoDbClient dynamo = DynamoDbClient.create();

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        var item = dynamo.getItem(r -> r.tableName(System.getenv("AGENTS_TABLE"))
                        .key(Map.of(
                                "tenant",
                                        AttributeValue.fromS(String.valueOf(event.getRequestContext()
                                                .getAuthorizer()
                                                .get("tenant"))),
                                "uid",
                                        AttributeValue.fromS(
                                                event.getPathParameters().get("uid")))))
                .item();
        return new APIGatewayProxyResponseEvent()
                .withStatusCode(item.isEmpty() ? 404 : 200)
                .withBody(
                        item.isEmpty()
                                ? "{}"
                                : "{\"name\": \"" + item.get("name").s() + "\"}");
    }
}
