package ai.avala.agents.store;

import static ai.avala.agents.store.Attributes.readString;
import static ai.avala.agents.store.Attributes.string;

import ai.avala.agents.model.Agent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * The name keys of a tenant's pull-mode agents: one item per (tenant, name) in the agents table, naming the
 * agent that has it, so that a pull-mode worker that registers again by name finds its agent with one read
 * (the avala-agents library registers on every start). The key is a hash of the name (a 255-character name
 * beside the tenant could pass DynamoDB's key size). It is written in the same transaction as every change
 * that gives an agent the name or takes it away: create, rename, {@code callback_url} set or cleared, delete.
 * Agents stored before the keys existed are indexed once per tenant, by the first registration that misses.
 */
final class PullAgentNames {

    private static final String KEY_PREFIX = "pull-name#";
    /** The item that says the tenant's pull-mode agents stored before the name keys have theirs. */
    private static final String INDEXED_UID = "pull-names#indexed";

    private final DynamoDbClient dynamo;
    private final String table;

    PullAgentNames(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /** The name key's uid, or empty for an agent with a callback URL (whose names need not be unique). */
    static Optional<String> keyOf(Agent agent) {
        return agent.pullMode() ? Optional.of(keyOf(agent.name())) : Optional.empty();
    }

    static String keyOf(String name) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Takes {@code key} for the agent; the transaction fails on it when another agent has the name. */
    TransactWriteItem claim(Agent agent, String key) {
        Map<String, AttributeValue> item = new HashMap<>(AgentStore.key(agent.tenant(), key));
        item.put("agent", string(agent.uid()));
        return TransactWriteItem.builder()
                .put(Put.builder()
                        .tableName(table)
                        .item(item)
                        .conditionExpression("attribute_not_exists(#uid)")
                        .expressionAttributeNames(Map.of("#uid", "uid"))
                        .build())
                .build();
    }

    /** Gives {@code key} up, if the agent has it (an agent stored before the keys may have none). */
    TransactWriteItem release(Agent agent, String key) {
        return TransactWriteItem.builder()
                .delete(Delete.builder()
                        .tableName(table)
                        .key(AgentStore.key(agent.tenant(), key))
                        .conditionExpression("attribute_not_exists(#uid) OR #agent = :agent")
                        .expressionAttributeNames(Map.of("#uid", "uid", "#agent", "agent"))
                        .expressionAttributeValues(Map.of(":agent", string(agent.uid())))
                        .build())
                .build();
    }

    /**
     * Whether the agent's name key names it. An older duplicate of a name (stored before the keys; the newest
     * got the key) holds none, and its delete or rename leaves the key to the one that has it.
     */
    boolean isHeldBy(Agent agent) {
        return agentNamed(agent.tenant(), agent.name())
                .filter(agent.uid()::equals)
                .isPresent();
    }

    /** Removes the key of {@code name} if it still names {@code staleUid}. */
    void forget(String tenant, String name, String staleUid) {
        try {
            dynamo.deleteItem(r -> r.tableName(table)
                    .key(AgentStore.key(tenant, keyOf(name)))
                    .conditionExpression("#agent = :agent")
                    .expressionAttributeNames(Map.of("#agent", "agent"))
                    .expressionAttributeValues(Map.of(":agent", string(staleUid))));
        } catch (ConditionalCheckFailedException moved) {
            // Taken by another agent meanwhile: not stale any more.
        }
    }

    /** The uid of the tenant's pull-mode agent named {@code name}, if there is one. */
    Optional<String> agentNamed(String tenant, String name) {
        var item = dynamo.getItem(r -> r.tableName(table).consistentRead(true).key(AgentStore.key(tenant, keyOf(name))))
                .item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.ofNullable(readString(item, "agent"));
    }

    /**
     * Gives the tenant's pull-mode agents stored before the name keys theirs, once per tenant: one read of its
     * agents (at most its quota), and for a name two of them share, the newest. Returns whether it indexed.
     */
    boolean indexStoredAgentsOnce(String tenant) {
        var marker = dynamo.getItem(
                        r -> r.tableName(table).consistentRead(true).key(AgentStore.key(tenant, INDEXED_UID)))
                .item();
        if (marker != null && !marker.isEmpty()) {
            return false;
        }
        Map<String, String> newestByName = new HashMap<>();
        Map<String, AttributeValue> next = null;
        do {
            var request = QueryRequest.builder()
                    .tableName(table)
                    .consistentRead(true)
                    .keyConditionExpression("#tenant = :tenant AND begins_with(#uid, :agent)")
                    .projectionExpression("#uid, #name, callback_url")
                    .expressionAttributeNames(Map.of("#tenant", "tenant", "#uid", "uid", "#name", "name"))
                    .expressionAttributeValues(Map.of(":tenant", string(tenant), ":agent", string("agent_")));
            if (next != null) {
                request.exclusiveStartKey(next);
            }
            var page = dynamo.query(request.build());
            for (var item : page.items()) {
                String uid = readString(item, "uid");
                if (readString(item, "callback_url") == null && uid.indexOf('#') < 0) {
                    // uids are time-ordered (ULIDs): the greater is the newer
                    newestByName.merge(readString(item, "name"), uid, (a, b) -> a.compareTo(b) >= 0 ? a : b);
                }
            }
            next = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (next != null);
        newestByName.forEach((name, uid) -> {
            Map<String, AttributeValue> item = new HashMap<>(AgentStore.key(tenant, keyOf(name)));
            item.put("agent", string(uid));
            try {
                dynamo.putItem(r -> r.tableName(table)
                        .item(item)
                        .conditionExpression("attribute_not_exists(#uid)")
                        .expressionAttributeNames(Map.of("#uid", "uid")));
            } catch (ConditionalCheckFailedException keyed) {
                // An agent created since has the key already: it is the newest of that name.
            }
        });
        dynamo.putItem(r -> r.tableName(table).item(AgentStore.key(tenant, INDEXED_UID)));
        return true;
    }
}
