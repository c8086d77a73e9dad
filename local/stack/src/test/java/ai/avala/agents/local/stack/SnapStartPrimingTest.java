package ai.avala.agents.local.stack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.aws.AwsClients;
import ai.avala.agents.lambda.SnapStartPriming;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

class SnapStartPrimingTest {

    @Test
    void primingEveryFunctionOfTheTemplate_shouldSucceedAndWriteNothing() throws Exception {
        try (DevStack stack = DevStack.start(Options.of(0, null, Map.of(), false));
                DynamoDbClient dynamo = AwsClients.dynamoDb(stack.resources().aws())) {
            Map<String, Integer> before = itemCounts(dynamo);

            var failed = SnapStartPriming.primeAll();

            assertThat(failed).isEmpty();
            assertThat(itemCounts(dynamo)).isEqualTo(before);
        }
    }

    private static Map<String, Integer> itemCounts(DynamoDbClient dynamo) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String table : dynamo.listTables().tableNames()) {
            counts.put(table, dynamo.scan(r -> r.tableName(table)).count());
        }
        return counts;
    }
}
