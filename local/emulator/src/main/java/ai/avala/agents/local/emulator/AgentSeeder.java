package ai.avala.agents.local.emulator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Many agents at once for tests and benchmarks, written with BatchWriteItem as an import would: the items
 * the API writes for an agent (the agent, its statistics item, one subscription), without the API's
 * transactions, which moto makes slower the larger a table grows.
 */
public final class AgentSeeder {

    private AgentSeeder() {}

    /** Seeds {@code count} active agents of {@code tenant} subscribed to {@code eventType}; returns their uids. */
    public static List<String> seed(
            DynamoDbClient dynamo,
            String agentsTable,
            String subscriptionsTable,
            String tenant,
            int count,
            String eventType,
            IntFunction<String> callbackUrl) {
        List<String> uids = new ArrayList<>();
        List<WriteRequest> agentItems = new ArrayList<>();
        List<WriteRequest> subscriptionItems = new ArrayList<>();
        String now = Instant.now().toString();
        for (int i = 0; i < count; i++) {
            String uid = ai.avala.agents.ids.Ids.agentUid();
            uids.add(uid);
            Map<String, AttributeValue> item = new HashMap<>();
            item.put("tenant", AttributeValue.fromS(tenant));
            item.put("uid", AttributeValue.fromS(uid));
            item.put("name", AttributeValue.fromS("agent " + i));
            item.put("events", AttributeValue.fromL(List.of(AttributeValue.fromS(eventType))));
            item.put("callback_url", AttributeValue.fromS(callbackUrl.apply(i)));
            item.put("is_active", AttributeValue.fromBool(true));
            item.put("task_types", AttributeValue.fromL(List.of()));
            item.put("secret", AttributeValue.fromS("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
            item.put("created_at", AttributeValue.fromS(now));
            item.put("updated_at", AttributeValue.fromS(now));
            item.put("version", AttributeValue.fromN("1"));
            agentItems.add(put(item));
            agentItems.add(put(Map.of(
                    "tenant",
                    AttributeValue.fromS(tenant),
                    "uid",
                    AttributeValue.fromS(uid + "#stats"),
                    "stats_total",
                    AttributeValue.fromN("0"),
                    "stats_success",
                    AttributeValue.fromN("0"),
                    "stats_failed",
                    AttributeValue.fromN("0"),
                    "stats_pending",
                    AttributeValue.fromN("0"))));
            subscriptionItems.add(put(Map.of(
                    "subscription",
                    AttributeValue.fromS(tenant + "|" + eventType),
                    "agent",
                    AttributeValue.fromS(uid),
                    "tenant",
                    AttributeValue.fromS(tenant))));
        }
        write(dynamo, agentsTable, agentItems);
        write(dynamo, subscriptionsTable, subscriptionItems);
        return uids;
    }

    private static WriteRequest put(Map<String, AttributeValue> item) {
        return WriteRequest.builder()
                .putRequest(PutRequest.builder().item(item).build())
                .build();
    }

    private static void write(DynamoDbClient dynamo, String table, List<WriteRequest> writes) {
        for (int start = 0; start < writes.size(); start += 25) {
            Map<String, List<WriteRequest>> request =
                    new LinkedHashMap<>(Map.of(table, writes.subList(start, Math.min(writes.size(), start + 25))));
            while (!request.isEmpty()) {
                Map<String, List<WriteRequest>> pending = request;
                var response = dynamo.batchWriteItem(r -> r.requestItems(pending));
                request = response.hasUnprocessedItems() ? new LinkedHashMap<>(response.unprocessedItems()) : Map.of();
            }
        }
    }
}
