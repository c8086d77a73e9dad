package ai.avala.agents.store;

import static ai.avala.agents.store.Attributes.string;

import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * One item per (tenant, event type, agent), partition {@code subscription = tenant|event type}, sort
 * {@code agent}: DynamoDB cannot index list elements, so this is how the dispatcher finds the agents
 * of an event with a key lookup instead of a scan. Written only inside {@link AgentStore}'s transactions.
 */
public final class SubscriptionIndex {

    private final DynamoDbClient dynamo;
    private final String table;

    public SubscriptionIndex(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    TransactWriteItem put(String tenant, String eventType, String agentUid) {
        return TransactWriteItem.builder()
                .put(Put.builder()
                        .tableName(table)
                        .item(Map.of(
                                "subscription",
                                string(partition(tenant, eventType)),
                                "agent",
                                string(agentUid),
                                "tenant",
                                string(tenant)))
                        .build())
                .build();
    }

    TransactWriteItem delete(String tenant, String eventType, String agentUid) {
        return TransactWriteItem.builder()
                .delete(Delete.builder()
                        .tableName(table)
                        .key(key(tenant, eventType, agentUid))
                        .build())
                .build();
    }

    /** The uids of the agents of {@code tenant} subscribed to exactly {@code eventType} (a pattern such as {@code task.*} is its own key). */
    public java.util.List<String> agentsFor(String tenant, String eventType) {
        return dynamo
                .queryPaginator(r -> r.tableName(table)
                        .keyConditionExpression("#p = :p")
                        .expressionAttributeNames(Map.of("#p", "subscription"))
                        .expressionAttributeValues(Map.of(":p", string(partition(tenant, eventType)))))
                .items()
                .stream()
                .map(item -> item.get("agent").s())
                .toList();
    }

    private static Map<String, AttributeValue> key(String tenant, String eventType, String agentUid) {
        return Map.of("subscription", string(partition(tenant, eventType)), "agent", string(agentUid));
    }

    private static String partition(String tenant, String eventType) {
        return tenant + "|" + eventType;
    }
}
