package ai.avala.agents.store;

import static ai.avala.agents.store.Attributes.instant;
import static ai.avala.agents.store.Attributes.n;
import static ai.avala.agents.store.Attributes.num;
import static ai.avala.agents.store.Attributes.s;
import static ai.avala.agents.store.Attributes.str;
import static ai.avala.agents.store.Attributes.time;

import ai.avala.agents.json.Json;
import ai.avala.agents.model.Execution;
import ai.avala.agents.model.ExecutionStatus;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * Executions in DynamoDB: partition {@code agent}, sort {@code uid} (time-ordered). The {@code by-status}
 * index (partition {@code agent_status = agent|status}) serves {@code ?status=} filters with a key
 * lookup. Items expire through the {@code expires_at} TTL attribute after the retention period.
 */
public final class ExecutionLog {

    public static final String STATUS_INDEX = "by-status";
    private final DynamoDbClient dynamo;
    private final String table;
    private final String agentsTable;
    private final Duration retention;

    public ExecutionLog(DynamoDbClient dynamo, String table, String agentsTable, Duration retention) {
        this.dynamo = dynamo;
        this.table = table;
        this.agentsTable = agentsTable;
        this.retention = retention;
    }

    /**
     * Records an execution that is already finished and counts it in its agent's statistics, in one
     * transaction so that the statistics always agree with the executions.
     */
    public void recordFinished(Execution execution) {
        String counter = "stats_" + execution.status().wire();
        TransactWriteItem put = TransactWriteItem.builder().put(Put.builder()
                .tableName(table)
                .item(toItem(execution))
                .conditionExpression("attribute_not_exists(#uid)")
                .expressionAttributeNames(Map.of("#uid", "uid"))
                .build()).build();
        TransactWriteItem count = TransactWriteItem.builder().update(Update.builder()
                .tableName(agentsTable)
                .key(AgentStore.key(execution.tenant(), execution.agentUid()))
                .updateExpression("ADD stats_total :one, " + counter + " :one")
                .conditionExpression("attribute_exists(#uid)")
                .expressionAttributeNames(Map.of("#uid", "uid"))
                .expressionAttributeValues(Map.of(":one", n(1)))
                .build()).build();
        dynamo.transactWriteItems(r -> r.transactItems(put, count));
    }

    public KeyedPage<Execution> list(String agentUid, ExecutionStatus status, int limit, Map<String, String> startKey) {
        var request = QueryRequest.builder().tableName(table).scanIndexForward(false).limit(limit + 1);
        if (status == null) {
            request.keyConditionExpression("agent = :p").expressionAttributeValues(Map.of(":p", s(agentUid)));
        } else {
            request.indexName(STATUS_INDEX)
                    .keyConditionExpression("agent_status = :p")
                    .expressionAttributeValues(Map.of(":p", s(statusKey(agentUid, status))));
        }
        if (startKey != null) {
            request.exclusiveStartKey(Attributes.keyOf(startKey));
        }
        List<Map<String, AttributeValue>> items = dynamo.query(request.build()).items();
        List<Execution> executions = items.stream().limit(limit).map(ExecutionLog::fromItem).toList();
        Map<String, String> lastKey = null;
        if (items.size() > limit) {
            Execution last = executions.get(executions.size() - 1);
            lastKey = new LinkedHashMap<>(Map.of("agent", agentUid, "uid", last.uid()));
            if (status != null) {
                lastKey.put("agent_status", statusKey(agentUid, status));
            }
        }
        return new KeyedPage<>(executions, lastKey);
    }

    private static String statusKey(String agentUid, ExecutionStatus status) {
        return agentUid + "|" + status.wire();
    }

    private Map<String, AttributeValue> toItem(Execution execution) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("agent", s(execution.agentUid()));
        item.put("uid", s(execution.uid()));
        item.put("tenant", s(execution.tenant()));
        item.put("agent_status", s(statusKey(execution.agentUid(), execution.status())));
        item.put("status", s(execution.status().wire()));
        item.put("event_id", s(execution.eventId()));
        item.put("event_type", s(execution.eventType()));
        item.put("task", s(execution.task()));
        item.put("result", s(execution.result()));
        item.put("action", s(execution.action()));
        item.put("event_payload", s(execution.eventPayload() == null ? null : Json.write(execution.eventPayload())));
        item.put("response_payload", s(execution.responsePayload() == null ? null : Json.write(execution.responsePayload())));
        item.put("error_message", s(execution.errorMessage()));
        item.put("attempts", n(execution.attempts()));
        item.put("started_at", time(execution.startedAt()));
        item.put("completed_at", time(execution.completedAt()));
        item.put("created_at", time(execution.createdAt()));
        item.put("updated_at", time(execution.updatedAt()));
        item.put("expires_at", n(execution.createdAt().plus(retention).getEpochSecond()));
        return item;
    }

    static Execution fromItem(Map<String, AttributeValue> item) {
        return new Execution(
                str(item, "uid"),
                str(item, "agent"),
                str(item, "tenant"),
                str(item, "event_id"),
                str(item, "event_type"),
                str(item, "task"),
                str(item, "result"),
                ExecutionStatus.fromWire(str(item, "status")).orElse(ExecutionStatus.PENDING),
                str(item, "action"),
                Json.objectOrNull(str(item, "event_payload")),
                Json.objectOrNull(str(item, "response_payload")),
                str(item, "error_message"),
                (int) num(item, "attempts"),
                instant(item, "started_at"),
                instant(item, "completed_at"),
                instant(item, "created_at"),
                instant(item, "updated_at"));
    }
}
