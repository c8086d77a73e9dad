package ai.avala.agents.store;

import static ai.avala.agents.store.Attributes.number;
import static ai.avala.agents.store.Attributes.readNumber;
import static ai.avala.agents.store.Attributes.readString;
import static ai.avala.agents.store.Attributes.string;

import ai.avala.agents.model.Execution;
import ai.avala.agents.model.ExecutionStatus;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The sweep's marks on the executions table: an execution that could lose its task at a rare moment carries
 * {@code sweep} and {@code sweep_at} (when to look at it), and so appears in the sparse index {@value #INDEX}, the
 * only thing the sweep reads (never a Scan). Marked: a replay's claim (until a delivery leases the execution), a
 * delivery's lease on its task's last receive, and the executions an event records on its last receive (until a
 * delivery leases them). A lease without a mark, a finish and a recorded attempt remove the mark, so the first
 * delivery of a dispatched event never writes the index. {@code sweeps} counts the tasks the sweep queued for the
 * execution since the last replay or redelivery claimed it.
 */
public final class SweepMarks {

    public static final String INDEX = "by-sweep";

    /**
     * How long after marking, or after queueing a task again, the sweep looks at an execution that no delivery took
     * up: far beyond a deliveries queue's usual backlog, so that it rarely queues a second copy of a live task.
     */
    public static final java.time.Duration REQUEUE_AFTER = java.time.Duration.ofMinutes(15);

    private static final String DUE = "due";

    /** One index entry: the execution's key and the time it is to be looked at. */
    public record Due(String agent, String uid, long sweepAt) {}

    /**
     * What the sweep needs to decide about an execution: the execution, who holds it (a delivery's lease, a
     * replay's claim; 0 when none), whether it is still marked (the index lags the table: an entry may outlive its
     * mark), the mark's time and how many tasks the sweep queued for it before.
     */
    public record State(
            Execution execution, long leaseUntil, long replayUntil, boolean marked, long sweepAt, int sweeps) {}

    private final DynamoDbClient dynamo;
    private final String table;

    public SweepMarks(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /** The attributes that put an item in the index, to be looked at from {@code at}. */
    static Map<String, AttributeValue> attributes(Instant at) {
        return Map.of("sweep", string(DUE), "sweep_at", number(at.toEpochMilli()));
    }

    /**
     * Marks an execution recorded before (by an earlier receive of its event) for a look at {@code at}, if it still
     * waits for its first attempt: its event is on its last receive, and the task may never be queued.
     */
    public void mark(Execution recorded, Instant at) {
        Map<String, AttributeValue> values = new HashMap<>(attributes(at));
        values.put(":sweep", values.remove("sweep"));
        values.put(":at", values.remove("sweep_at"));
        values.put(":running", string(ExecutionStatus.RUNNING.wire()));
        values.put(":zero", number(0));
        try {
            dynamo.updateItem(r -> r.tableName(table)
                    .key(key(recorded.agentUid(), recorded.uid()))
                    .updateExpression("SET sweep = :sweep, sweep_at = :at")
                    .conditionExpression("#status = :running AND attempts = :zero")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException attempted) {
            // A delivery made its attempt (or ended it): its task was queued.
        }
    }

    /** Up to {@code limit} entries due at {@code now}, oldest first, after {@code after} (null: from the first). */
    public List<Due> due(Instant now, Due after, int limit) {
        QueryRequest.Builder request = QueryRequest.builder()
                .tableName(table)
                .indexName(INDEX)
                .keyConditionExpression("sweep = :due AND sweep_at <= :now")
                .expressionAttributeValues(Map.of(":due", string(DUE), ":now", number(now.toEpochMilli())))
                .limit(limit);
        if (after != null) {
            request.exclusiveStartKey(Map.of(
                    "agent", string(after.agent()),
                    "uid", string(after.uid()),
                    "sweep", string(DUE),
                    "sweep_at", number(after.sweepAt())));
        }
        QueryResponse response = dynamo.query(request.build());
        return response.items().stream()
                .map(item -> new Due(readString(item, "agent"), readString(item, "uid"), readNumber(item, "sweep_at")))
                .toList();
    }

    /** The execution behind an entry, read consistently; empty when it is gone (its retention ended). */
    public Optional<State> state(Due due) {
        var item = dynamo.getItem(r -> r.tableName(table).consistentRead(true).key(key(due.agent(), due.uid())))
                .item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new State(
                ExecutionLog.fromItem(item),
                readNumber(item, "lease_until"),
                readNumber(item, "replay_until"),
                item.containsKey("sweep"),
                readNumber(item, "sweep_at"),
                (int) readNumber(item, "sweeps")));
    }

    /**
     * Looks at the execution again at {@code at} (counting a queued task when {@code queued}), unless its mark
     * changed since {@code seen} was read (a lease took it out of the index, another sweep moved it).
     */
    public void later(State seen, Instant at, boolean queued) {
        try {
            dynamo.updateItem(r -> r.tableName(table)
                    .key(key(seen.execution().agentUid(), seen.execution().uid()))
                    .updateExpression(queued ? "SET sweep_at = :at, sweeps = :sweeps" : "SET sweep_at = :at")
                    .conditionExpression("attribute_exists(sweep) AND sweep_at = :seen")
                    .expressionAttributeValues(
                            queued
                                    ? Map.of(
                                            ":at", number(at.toEpochMilli()),
                                            ":seen", number(seen.sweepAt()),
                                            ":sweeps", number(seen.sweeps() + 1))
                                    : Map.of(":at", number(at.toEpochMilli()), ":seen", number(seen.sweepAt()))));
        } catch (ConditionalCheckFailedException moved) {
            // Taken out of the index or moved meanwhile: whoever did so owns the execution now.
        }
    }

    /** Takes an execution that needs no look (finished, or owned by its agent's polls) out of the index. */
    public void clear(State seen) {
        try {
            dynamo.updateItem(r -> r.tableName(table)
                    .key(key(seen.execution().agentUid(), seen.execution().uid()))
                    .updateExpression("REMOVE sweep, sweep_at")
                    .conditionExpression("attribute_exists(sweep) AND sweep_at = :seen")
                    .expressionAttributeValues(Map.of(":seen", number(seen.sweepAt()))));
        } catch (ConditionalCheckFailedException moved) {
            // Moved meanwhile (claimed again by a replay): it stays for the next look.
        }
    }

    /**
     * Looks at an entry that could not be looked at (a failure no retry mends) again at {@code at}, so that the next
     * runs go on past it; unless its mark changed meanwhile.
     */
    public void postpone(Due due, Instant at) {
        try {
            dynamo.updateItem(r -> r.tableName(table)
                    .key(key(due.agent(), due.uid()))
                    .updateExpression("SET sweep_at = :at")
                    .conditionExpression("attribute_exists(sweep) AND sweep_at = :seen")
                    .expressionAttributeValues(
                            Map.of(":at", number(at.toEpochMilli()), ":seen", number(due.sweepAt()))));
        } catch (ConditionalCheckFailedException moved) {
            // Moved or unmarked meanwhile.
        }
    }

    private static Map<String, AttributeValue> key(String agent, String uid) {
        return Map.of("agent", string(agent), "uid", string(uid));
    }
}
