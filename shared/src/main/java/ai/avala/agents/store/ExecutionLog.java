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
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
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
    public static final String UID_INDEX = "by-uid";
    private static final String EXECUTION_PREFIX = "exec_";
    private static final String CLAIM_PREFIX = "event#";
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
        dynamo.transactWriteItems(r -> r.transactItems(put, count(execution, Map.of("stats_total", 1, counter, 1))));
    }

    /** What {@link #start} found: the execution of (event, agent), and whether this call created it. */
    public record Start(Execution execution, boolean created) {
    }

    /**
     * Creates the execution of one (event id, agent) exactly once. A claim item keyed by the event id,
     * the execution and the agent's counters ({@code total}, {@code pending}) are written in one
     * conditional transaction; when the claim exists already, the execution it names is returned.
     * Empty when the agent was deleted meanwhile.
     */
    public Optional<Start> start(Execution execution) {
        String claimKey = CLAIM_PREFIX + execution.eventId();
        TransactWriteItem claim = TransactWriteItem.builder().put(Put.builder()
                .tableName(table)
                .item(Map.of("agent", s(execution.agentUid()), "uid", s(claimKey), "execution", s(execution.uid()),
                        "tenant", s(execution.tenant()),
                        "expires_at", n(execution.createdAt().plus(retention).getEpochSecond())))
                .conditionExpression("attribute_not_exists(#uid)")
                .expressionAttributeNames(Map.of("#uid", "uid"))
                .build()).build();
        TransactWriteItem put = TransactWriteItem.builder().put(Put.builder()
                .tableName(table).item(toItem(execution)).build()).build();
        try {
            dynamo.transactWriteItems(r -> r.transactItems(claim, put, count(execution, Map.of("stats_total", 1, "stats_pending", 1))));
            return Optional.of(new Start(execution, true));
        } catch (TransactionCanceledException e) {
            var reasons = e.cancellationReasons();
            if ("ConditionalCheckFailed".equals(reasons.get(2).code())) {
                return Optional.empty();
            }
            if (!"ConditionalCheckFailed".equals(reasons.get(0).code())) {
                throw e;
            }
        }
        var item = dynamo.getItem(r -> r.tableName(table).consistentRead(true)
                .key(Map.of("agent", s(execution.agentUid()), "uid", s(claimKey)))).item();
        String existing = str(item, "execution");
        return Optional.of(new Start(find(execution.agentUid(), existing).orElseThrow(() ->
                new IllegalStateException("Claim of event " + execution.eventId() + " names a missing execution")), false));
    }

    public Optional<Execution> find(String agentUid, String executionUid) {
        var item = dynamo.getItem(r -> r.tableName(table).consistentRead(true)
                .key(Map.of("agent", s(agentUid), "uid", s(executionUid)))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(fromItem(item));
    }

    /** An execution by its uid alone (for {@code POST /agent-actions/}), read consistently once located. */
    public Optional<Execution> findByUid(String executionUid) {
        if (!executionUid.startsWith(EXECUTION_PREFIX) || executionUid.length() > 64) {
            return Optional.empty();
        }
        var keys = dynamo.query(r -> r.tableName(table).indexName(UID_INDEX)
                .keyConditionExpression("#uid = :uid")
                .expressionAttributeNames(Map.of("#uid", "uid"))
                .expressionAttributeValues(Map.of(":uid", s(executionUid)))).items();
        return keys.isEmpty() ? Optional.empty() : find(str(keys.get(0), "agent"), executionUid);
    }

    /**
     * Finishes a pending or running execution as {@code status}, if it is still as {@code current}
     * shows it (so two workers never both finish it), and moves it from the agent's pending count to
     * its success or failed count. Returns false when someone else changed it first.
     */
    public boolean finish(Execution current, Execution finished) {
        TransactWriteItem update = TransactWriteItem.builder().update(Update.builder()
                .tableName(table)
                .key(Map.of("agent", s(current.agentUid()), "uid", s(current.uid())))
                .updateExpression("SET #status = :status, agent_status = :agentStatus, #action = :action, "
                        + "response_payload = :response, error_message = :error, attempts = :attempts, "
                        + "started_at = :started, completed_at = :completed, updated_at = :updated REMOVE lease_until")
                .conditionExpression("#status = :was AND attempts = :wasAttempts")
                .expressionAttributeNames(Map.of("#status", "status", "#action", "action"))
                .expressionAttributeValues(Map.ofEntries(
                        Map.entry(":status", s(finished.status().wire())),
                        Map.entry(":agentStatus", s(statusKey(current.agentUid(), finished.status()))),
                        Map.entry(":action", s(finished.action())),
                        Map.entry(":response", s(finished.responsePayload() == null ? null : Json.write(finished.responsePayload()))),
                        Map.entry(":error", s(finished.errorMessage())),
                        Map.entry(":attempts", n(finished.attempts())),
                        Map.entry(":started", time(finished.startedAt())),
                        Map.entry(":completed", time(finished.completedAt())),
                        Map.entry(":updated", time(finished.updatedAt())),
                        Map.entry(":was", s(current.status().wire())),
                        Map.entry(":wasAttempts", n(current.attempts()))))
                .build()).build();
        try {
            dynamo.transactWriteItems(r -> r.transactItems(update,
                    count(current, Map.of("stats_pending", -1, "stats_" + finished.status().wire(), 1))));
            return true;
        } catch (TransactionCanceledException e) {
            // Someone finished it first, or the agent was deleted meanwhile: either way nothing to count.
            if (e.cancellationReasons().stream().anyMatch(reason -> "ConditionalCheckFailed".equals(reason.code()))) {
                return false;
            }
            throw e;
        }
    }

    /** Records a failed attempt of a running execution that will be retried; false if it changed meanwhile. */
    public boolean recordFailedAttempt(Execution current, int attempts, String error, java.time.Instant now) {
        try {
            dynamo.updateItem(r -> r.tableName(table)
                    .key(Map.of("agent", s(current.agentUid()), "uid", s(current.uid())))
                    .updateExpression("SET attempts = :attempts, error_message = :error, updated_at = :now, "
                            + "started_at = if_not_exists(started_at, :now) REMOVE lease_until")
                    .conditionExpression("#status = :running AND attempts = :wasAttempts")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(":attempts", n(attempts), ":error", s(error), ":now", time(now),
                            ":running", s(ExecutionStatus.RUNNING.wire()), ":wasAttempts", n(current.attempts()))));
            return true;
        } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException e) {
            return false;
        }
    }

    /**
     * Takes the right to make the next attempt of a running execution until {@code until}, unless another
     * worker holds it (two copies of one queue message processed at once). A worker that dies keeps it
     * only until it lapses; one that fails gives it back with {@link #release}.
     */
    public boolean lease(Execution current, java.time.Instant until, java.time.Instant now) {
        try {
            dynamo.updateItem(r -> r.tableName(table)
                    .key(Map.of("agent", s(current.agentUid()), "uid", s(current.uid())))
                    .updateExpression("SET lease_until = :until")
                    .conditionExpression("#status = :running AND attempts = :attempts "
                            + "AND (attribute_not_exists(lease_until) OR lease_until < :now)")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(":until", n(until.toEpochMilli()), ":now", n(now.toEpochMilli()),
                            ":running", s(ExecutionStatus.RUNNING.wire()), ":attempts", n(current.attempts()))));
            return true;
        } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** Gives a lease back after a failure, so that the message's redelivery can attempt at once. */
    public void release(Execution current) {
        dynamo.updateItem(r -> r.tableName(table)
                .key(Map.of("agent", s(current.agentUid()), "uid", s(current.uid())))
                .updateExpression("REMOVE lease_until"));
    }

    private TransactWriteItem count(Execution execution, Map<String, Integer> deltas) {
        StringBuilder expression = new StringBuilder("ADD ");
        Map<String, AttributeValue> values = new HashMap<>();
        int i = 0;
        for (var delta : deltas.entrySet()) {
            expression.append(i == 0 ? "" : ", ").append(delta.getKey()).append(" :d").append(i);
            values.put(":d" + i, n(delta.getValue()));
            i++;
        }
        return TransactWriteItem.builder().update(Update.builder()
                .tableName(agentsTable)
                .key(AgentStore.key(execution.tenant(), execution.agentUid()))
                .updateExpression(expression.toString())
                .conditionExpression("attribute_exists(#uid)")
                .expressionAttributeNames(Map.of("#uid", "uid"))
                .expressionAttributeValues(values)
                .build()).build();
    }

    public KeyedPage<Execution> list(String agentUid, ExecutionStatus status, int limit, Map<String, String> startKey) {
        var request = QueryRequest.builder().tableName(table).scanIndexForward(false).limit(limit + 1);
        if (status == null) {
            request.keyConditionExpression("agent = :p AND begins_with(#uid, :prefix)")
                    .expressionAttributeNames(Map.of("#uid", "uid"))
                    .expressionAttributeValues(Map.of(":p", s(agentUid), ":prefix", s(EXECUTION_PREFIX)));
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

    Map<String, AttributeValue> toItem(Execution execution) {
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
