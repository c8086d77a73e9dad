package ai.avala.agents.local.stack;

import static ai.avala.agents.local.emulator.SamTemplate.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.aws.AwsClients;
import ai.avala.agents.lambda.SnapStartPriming;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

class SnapStartPrimingTest {

    @Test
    void primingEveryFunctionOfTheTemplate_shouldWarmEachRequestFunctionOnceAndWriteNothing() throws Exception {
        try (DevStack stack = DevStack.start(Options.of(0, null, Map.of(), false));
                DynamoDbClient dynamo = AwsClients.dynamoDb(stack.resources().aws())) {
            Map<String, Integer> before = itemCounts(dynamo);

            var primed = SnapStartPriming.primeAll();

            assertThat(primed.failed()).isEmpty();
            List<String> expected = new java.util.ArrayList<>(requestFunctionHandlers(stack));
            // The matching stage warms its intake (the catalog's schemas) without reading or writing anything.
            expected.add("DispatcherHandler");
            assertThat(primed.succeeded())
                    .as("each function answering requests (the API's and its authorizer) warms its own path once;"
                            + " the queue, stream and schedule consumers have no request to replay without writing")
                    .containsExactlyInAnyOrderElementsOf(expected);
            assertThat(itemCounts(dynamo)).isEqualTo(before);
        }
    }

    /** The handler class of every template function not driven by a queue, a stream or a schedule. */
    private static List<String> requestFunctionHandlers(DevStack stack) {
        return stack.resources().template().resources("AWS::Serverless::Function").values().stream()
                .filter(function -> map(function.get("Events")).values().stream()
                        .map(event -> map(event).get("Type"))
                        .noneMatch(type -> "SQS".equals(type) || "DynamoDB".equals(type) || "Schedule".equals(type)))
                .map(function -> (String) function.get("Handler"))
                .map(handler -> handler.replaceAll("::.*", ""))
                .map(handler -> handler.substring(handler.lastIndexOf('.') + 1))
                .toList();
    }

    private static Map<String, Integer> itemCounts(DynamoDbClient dynamo) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String table : dynamo.listTables().tableNames()) {
            counts.put(table, dynamo.scan(r -> r.tableName(table)).count());
        }
        return counts;
    }
}
