package ai.avala.agents.store;

import static ai.avala.agents.store.Attributes.number;
import static ai.avala.agents.store.Attributes.readInstant;
import static ai.avala.agents.store.Attributes.readNumber;
import static ai.avala.agents.store.Attributes.readString;
import static ai.avala.agents.store.Attributes.string;
import static ai.avala.agents.store.Attributes.timestamp;

import ai.avala.agents.aws.AwsFailures;
import ai.avala.agents.ids.Ids;
import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import ai.avala.agents.model.AgentDecision;
import ai.avala.agents.model.Attempt;
import ai.avala.agents.model.Execution;
import ai.avala.agents.model.ExecutionStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * Executions in DynamoDB: partition {@code agent}, sort {@code uid} (time-ordered). Every write is a
 * single-item write, never a transaction: a delivery costs one write to record the execution, one to
 * lease its attempt and one to finish it, and nothing else (the agents' statistics follow from the
 * table's stream, see {@link ExecutionStatsStore}). Three sparse indexes cost nothing for the first delivery of a
 * dispatched event: {@code by-status} holds only pending (pull-mode) executions for {@code ?status=pending},
 * {@code by-pull-uid} only pull-mode executions for {@code POST /agent-actions/}, {@code by-sweep} only executions at
 * risk of losing their task ({@link SweepMarks}). Items expire through the
 * {@code expires_at} TTL attribute after the retention period.
 */
public final class ExecutionLog {

    public static final String STATUS_INDEX = "by-status";

    /**
     * How long a replay's claim on an execution (finished -> running) lasts before a delivery leases it: well beyond
     * the replay functions' 29 s timeout and a deliveries queue's usual backlog. A claim whose replay stopped before
     * queueing the task runs out, and the next replay (or a redelivery) of the execution claims it again; a claim
     * whose task could not be queued is ended at once.
     */
    public static final Duration REPLAY_CLAIM = Duration.ofMinutes(10);

    /**
     * How long past its due time a running execution's next attempt may wait unheld before a replay or a redelivery
     * takes it for stranded (see {@link #STRANDED}): far beyond a deliveries queue's backlog and a crashed lease's
     * return (the queue's visibility timeout).
     */
    static final Duration OVERDUE = Duration.ofHours(1);

    /**
     * A running execution nothing will take up (with {@code :nowMillis} and {@code :overdue} bound): a replay's claim
     * that ran out before a delivery leased it (its replay stopped between the claim and the queueing), or one whose
     * next attempt was due over {@link #OVERDUE} ago that no claim and no live lease holds (a claim made before
     * claims had an expiry, or any other lost task). A replay of its window or a redelivery claims it again.
     */
    private static final String STRANDED = "(replay_until < :nowMillis OR (attribute_not_exists(replay_until) "
            + "AND attribute_not_exists(claimed_until) AND next_attempt_at < :overdue "
            + "AND (attribute_not_exists(lease_until) OR lease_until < :nowMillis)))";

    public static final String PULL_UID_INDEX = "by-pull-uid";
    static final String EXECUTION_PREFIX = "exec_";
    private static final String EVENT_CLAIMS = "event-claims#";
    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration retention;

    private final EventPayloads payloads;

    public ExecutionLog(DynamoDbClient dynamo, String table, Duration retention) {
        this.dynamo = dynamo;
        this.table = table;
        this.retention = retention;
        this.payloads = new EventPayloads(dynamo, table, retention);
    }

    /**
     * Stores an event's payload once for the executions that will name it ({@link #create(Execution, Instant,
     * String)}); before them, so that no execution names a payload not yet stored.
     */
    public void storePayload(String payloadKey, Map<String, Object> payload, Instant createdAt) {
        payloads.store(payloadKey, payload, createdAt);
    }

    /**
     * Records a new execution unless one with its uid exists already (uids are derived from the event and
     * the agent, so this is what makes one execution per (event, agent)); true if this call created it.
     */
    public boolean create(Execution execution) {
        return create(execution, null);
    }

    /**
     * {@link #create(Execution)}, with the execution marked for the sweep from {@code sweepAt} when not null (see
     * {@link SweepMarks}): its event is on its last receive, and its task may never be queued.
     */
    public boolean create(Execution execution, Instant sweepAt) {
        return create(execution, sweepAt, null);
    }

    /**
     * {@link #create(Execution, Instant)}; with a {@code payloadKey}, the execution names its event's payload, stored
     * apart by {@link #storePayload}, instead of carrying it (see {@link EventPayloads}).
     */
    public boolean create(Execution execution, Instant sweepAt, String payloadKey) {
        Map<String, AttributeValue> item = toItem(execution);
        if (payloadKey != null) {
            item.remove("event_payload");
            item.put("payload_key", string(payloadKey));
        }
        if (sweepAt != null) {
            item.putAll(SweepMarks.attributes(sweepAt));
        }
        try {
            dynamo.putItem(r -> r.tableName(table)
                    .item(item)
                    .conditionExpression("attribute_not_exists(#uid)")
                    .expressionAttributeNames(Map.of("#uid", "uid")));
            return true;
        } catch (ConditionalCheckFailedException exists) {
            return false;
        }
    }

    /**
     * The time an event was first seen, for an event that carries no {@code occurred_at}: the first copy
     * records {@code candidate}, every later copy (a duplicate send) reads what the first recorded. One
     * write per event, whatever its fan-out.
     */
    public Instant firstSeen(String tenant, String eventId, Instant candidate) {
        Map<String, AttributeValue> key =
                Map.of("agent", string(EVENT_CLAIMS + tenant), "uid", string("event#" + eventId));
        try {
            Map<String, AttributeValue> item = new HashMap<>(key);
            item.put("first_seen", timestamp(candidate));
            item.put("expires_at", number(candidate.plus(retention).getEpochSecond()));
            dynamo.putItem(r -> r.tableName(table)
                    .item(item)
                    .conditionExpression("attribute_not_exists(#uid)")
                    .expressionAttributeNames(Map.of("#uid", "uid")));
            return candidate;
        } catch (ConditionalCheckFailedException seen) {
            return readInstant(
                    dynamo.getItem(r -> r.tableName(table).key(key).consistentRead(true))
                            .item(),
                    "first_seen");
        }
    }

    public Optional<Execution> find(String agentUid, String executionUid) {
        var item = dynamo.getItem(r -> r.tableName(table).consistentRead(true).key(key(agentUid, executionUid)))
                .item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(withPayload(item));
    }

    /** A pull-mode execution by its uid alone (for {@code POST /agent-actions/}), read consistently once located. */
    public Optional<Execution> findPullModeByUid(String executionUid) {
        var keys = dynamo.query(r -> r.tableName(table)
                        .indexName(PULL_UID_INDEX)
                        .keyConditionExpression("pull_uid = :uid")
                        .expressionAttributeValues(Map.of(":uid", string(executionUid))))
                .items();
        return keys.isEmpty() ? Optional.empty() : find(readString(keys.get(0), "agent"), executionUid);
    }

    /**
     * Takes the right to make attempt {@code attemptsMade + 1} of a running execution until {@code until},
     * unless it is no longer running, another attempt was made meanwhile, or another worker holds the
     * lease (two copies of one delivery task at once). One write; returns the execution as leased.
     */
    public Optional<Execution> lease(
            String agentUid, String executionUid, int attemptsMade, Instant until, Instant now) {
        return lease(agentUid, executionUid, attemptsMade, until, now, false);
    }

    /**
     * {@link #lease(String, String, int, Instant, Instant)}; on a task's last receive ({@code lastReceive}) the
     * execution is also marked for the sweep at the lease's end, as nothing else would end it if the invocation
     * died holding it (SQS dead-letters the task). Any other lease takes the execution out of the sweep's index: its
     * task owns it.
     */
    public Optional<Execution> lease(
            String agentUid, String executionUid, int attemptsMade, Instant until, Instant now, boolean lastReceive) {
        return leaseItem(agentUid, executionUid, attemptsMade, until, now, lastReceive)
                .map(ExecutionLog::fromItem);
    }

    /**
     * {@link #lease(String, String, int, Instant, Instant, boolean)} for a callback: the execution with its event's
     * payload. The payload is read after the lease is taken; when that read fails, the lease is given back (best
     * effort) and the failure thrown, so that the task's next receive can attempt at once. A payload that is not
     * there fails the lease too: no receiver is called without its event.
     */
    public Optional<Execution> leaseForCallback(
            String agentUid, String executionUid, int attemptsMade, Instant until, Instant now, boolean lastReceive) {
        Optional<Map<String, AttributeValue>> leased =
                leaseItem(agentUid, executionUid, attemptsMade, until, now, lastReceive);
        if (leased.isEmpty()) {
            return Optional.empty();
        }
        Execution execution = fromItem(leased.get());
        String payloadKey = readString(leased.get(), "payload_key");
        if (payloadKey == null) {
            return Optional.of(execution);
        }
        try {
            return Optional.of(execution.withEventPayload(payloads.readOne(payloadKey)
                    .orElseThrow(() -> new IllegalStateException(
                            "The event payload of execution " + executionUid + " is missing"))));
        } catch (RuntimeException e) {
            try {
                release(execution);
            } catch (RuntimeException notReleased) {
                e.addSuppressed(notReleased);
            }
            throw e;
        }
    }

    private Optional<Map<String, AttributeValue>> leaseItem(
            String agentUid, String executionUid, int attemptsMade, Instant until, Instant now, boolean lastReceive) {
        // Who takes the lease: a retried write whose first answer was lost finds its own holder there.
        String holder = UUID.randomUUID().toString();
        Map<String, AttributeValue> values = new HashMap<>(Map.of(
                ":until",
                number(until.toEpochMilli()),
                ":holder",
                string(holder),
                ":now",
                number(now.toEpochMilli()),
                ":running",
                string(ExecutionStatus.RUNNING.wire()),
                ":attempts",
                number(attemptsMade)));
        if (lastReceive) {
            values.put(":sweep", SweepMarks.attributes(until).get("sweep"));
        }
        try {
            var updated = dynamo.updateItem(r -> r.tableName(table)
                    .key(key(agentUid, executionUid))
                    // A replay's claim ends once a delivery takes the execution up.
                    .updateExpression(
                            lastReceive
                                    ? "SET lease_until = :until, lease_holder = :holder, sweep = :sweep, "
                                            + "sweep_at = :until REMOVE replay_until, replay_holder"
                                    : "SET lease_until = :until, lease_holder = :holder "
                                            + "REMOVE replay_until, replay_holder, sweep, sweep_at")
                    .conditionExpression("#status = :running AND attempts = :attempts "
                            + "AND (attribute_not_exists(lease_until) OR lease_until < :now)")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return Optional.of(updated.attributes());
        } catch (ConditionalCheckFailedException e) {
            // Our own earlier attempt of this very write took effect (its answer was lost, the SDK sent it
            // again): the lease is ours. Anything else is another worker's lease or an attempt made already.
            return e.hasItem() && holder.equals(readString(e.item(), "lease_holder"))
                    ? Optional.of(e.item())
                    : Optional.empty();
        }
    }

    /** Gives a lease back after a failure, so that the task's redelivery can attempt at once. */
    public void release(Execution current) {
        dynamo.updateItem(r -> r.tableName(table)
                .key(key(current.agentUid(), current.uid()))
                .updateExpression("REMOVE lease_until, lease_holder")
                .conditionExpression("attribute_exists(#uid)")
                .expressionAttributeNames(Map.of("#uid", "uid")));
    }

    /**
     * Finishes a pending or running execution as {@code finished} shows it, if it is still as {@code current}
     * shows it (so two workers never both finish it). Returns false when someone else changed it first.
     */
    public boolean finish(Execution current, Execution finished) {
        try {
            dynamo.updateItem(r -> r.tableName(table)
                    .key(key(current.agentUid(), current.uid()))
                    .updateExpression("SET #status = :status, #action = :action, "
                            + "response_payload = :response, error_message = :error, attempts = :attempts, "
                            + "started_at = :started, completed_at = :completed, updated_at = :updated, "
                            + "attempt_history = :history REMOVE lease_until, lease_holder, agent_status, next_attempt_at, claimed_until, claim_holder, "
                            + "replay_until, replay_holder, sweep, sweep_at, sweeps")
                    .conditionExpression("#status = :was AND attempts = :wasAttempts")
                    .expressionAttributeNames(Map.of("#status", "status", "#action", "action"))
                    .expressionAttributeValues(Map.ofEntries(
                            Map.entry(":status", string(finished.status().wire())),
                            Map.entry(
                                    ":action",
                                    string(
                                            finished.action() == null
                                                    ? null
                                                    : finished.action().wire())),
                            Map.entry(
                                    ":response",
                                    string(
                                            finished.responsePayload() == null
                                                    ? null
                                                    : Json.write(finished.responsePayload()))),
                            Map.entry(":error", string(finished.errorMessage())),
                            Map.entry(":attempts", number(finished.attempts())),
                            Map.entry(":started", timestamp(finished.startedAt())),
                            Map.entry(":completed", timestamp(finished.completedAt())),
                            Map.entry(":updated", timestamp(finished.updatedAt())),
                            Map.entry(":history", history(finished.attemptHistory())),
                            Map.entry(":was", string(current.status().wire())),
                            Map.entry(":wasAttempts", number(current.attempts()))))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return true;
        } catch (ConditionalCheckFailedException e) {
            // True when it is finished as this call finishes it: our own earlier attempt of the write took effect.
            return e.hasItem() && isFinishedAs(fromItem(e.item()), finished);
        }
    }

    private static boolean isFinishedAs(Execution stored, Execution finished) {
        return stored.status() == finished.status()
                && stored.attempts() == finished.attempts()
                && java.util.Objects.equals(stored.updatedAt(), finished.updatedAt())
                && stored.action() == finished.action();
    }

    /** Records a failed attempt of a running execution that will be retried (and gives its lease back). */
    public void recordFailedAttempt(Execution current, Execution failed) {
        try {
            dynamo.updateItem(r -> r.tableName(table)
                    .key(key(current.agentUid(), current.uid()))
                    .updateExpression(
                            "SET attempts = :attempts, error_message = :error, updated_at = :now, "
                                    + "started_at = :started, attempt_history = :history, next_attempt_at = :next REMOVE lease_until, lease_holder, sweep, sweep_at")
                    .conditionExpression("#status = :running AND attempts = :wasAttempts")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(
                            ":attempts",
                            number(failed.attempts()),
                            ":error",
                            string(failed.errorMessage()),
                            ":now",
                            timestamp(failed.updatedAt()),
                            ":started",
                            timestamp(failed.startedAt()),
                            ":history",
                            history(failed.attemptHistory()),
                            ":next",
                            timestamp(failed.nextAttemptAt()),
                            ":running",
                            string(ExecutionStatus.RUNNING.wire()),
                            ":wasAttempts",
                            number(current.attempts()))));
        } catch (ConditionalCheckFailedException changedMeanwhile) {
            // Another worker recorded this attempt's outcome first: nothing left to record.
        }
    }

    /**
     * Sets a finished (successful or failed) execution running again for one more attempt, if it is still as
     * {@code current} shows it; false when it is not finished or changed meanwhile (another redelivery).
     */
    public boolean redeliver(Execution current, Execution redelivered, String holder) {
        // Who claims it (one holder per request): a retried write whose first answer was lost finds it there.
        boolean stranded = current.status() == ExecutionStatus.RUNNING;
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":running", string(ExecutionStatus.RUNNING.wire()));
        values.put(":null", string(null));
        values.put(":now", timestamp(redelivered.updatedAt()));
        values.put(":next", timestamp(redelivered.nextAttemptAt()));
        values.put(":attempts", number(current.attempts()));
        values.put(":holder", string(holder));
        values.put(":expires", number(redelivered.updatedAt().plus(REPLAY_CLAIM).toEpochMilli()));
        values.put(":sweep", SweepMarks.attributes(redelivered.updatedAt()).get("sweep"));
        String condition;
        if (stranded) {
            // Stranded (see STRANDED): claimed again, once.
            values.put(":nowMillis", number(redelivered.updatedAt().toEpochMilli()));
            values.put(":overdue", timestamp(redelivered.updatedAt().minus(OVERDUE)));
            condition = "#status = :running AND attempts = :attempts AND " + STRANDED;
        } else {
            values.put(":success", string(ExecutionStatus.SUCCESS.wire()));
            values.put(":failed", string(ExecutionStatus.FAILED.wire()));
            values.put(":was", string(current.status().wire()));
            condition = "#status IN (:success, :failed) AND #status = :was AND attempts = :attempts";
        }
        try {
            dynamo.updateItem(r -> r.tableName(table)
                    .key(key(current.agentUid(), current.uid()))
                    .updateExpression("SET #status = :running, completed_at = :null, updated_at = :now, "
                            + "next_attempt_at = :next, replay_until = :expires, replay_holder = :holder, "
                            + "sweep = :sweep, sweep_at = :expires REMOVE sweeps")
                    .conditionExpression(condition)
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(values)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return true;
        } catch (ConditionalCheckFailedException e) {
            // Our own earlier sending of this claim took effect (its answer was lost): the claim is ours.
            return e.hasItem() && holder.equals(readString(e.item(), "replay_holder"));
        }
    }

    /**
     * Ends a replay's claim at once, if {@code holder} still holds it (no delivery took the execution up): its task
     * could not be queued, so the execution may be claimed again right away. The execution stays {@code running}
     * (a delivery may be on it); the next replay or redelivery claims it again.
     */
    public void expireReplayClaim(Execution claimed, String holder) {
        try {
            dynamo.updateItem(r -> r.tableName(table)
                    .key(key(claimed.agentUid(), claimed.uid()))
                    // Due for the sweep at once, too.
                    .updateExpression("SET replay_until = :zero, sweep_at = :zero")
                    .conditionExpression("replay_holder = :holder")
                    .expressionAttributeValues(Map.of(":zero", number(0), ":holder", string(holder))));
        } catch (ConditionalCheckFailedException takenUp) {
            // A delivery leased it (its task was queued after all): nothing to undo.
        }
    }

    /**
     * A page of an agent's failed executions of events that occurred from {@code since} (inclusive) to {@code until}
     * (exclusive), oldest first, test calls left out. The window is a key range (an execution's uid is ordered by
     * its event's time: {@code occurred_at}, or when the event was first seen without one), so a replay reads the
     * executions of its window only, never the rest of the retention period; the status is a filter on that range
     * (the read cost is paid by a replay, never by a delivery). {@code startKey} continues from an earlier page.
     */
    public KeyedPage<Execution> listFailed(
            String agentUid, Instant since, Instant until, Map<String, String> startKey, Instant now) {
        // uids carry whole milliseconds: [since, until) is the milliseconds from since's, rounded up, to until's
        // (rounded up) excluded.
        long from = ceilMillis(since);
        long to = ceilMillis(until) - 1;
        if (from > to) {
            return new KeyedPage<>(List.of(), null);
        }
        QueryRequest.Builder request = QueryRequest.builder()
                .tableName(table)
                .keyConditionExpression("#agent = :p AND #uid BETWEEN :from AND :to")
                // Failed ones, and those a stopped replay claimed and never queued (its claim ran out).
                .filterExpression("(#status = :failed OR (#status = :running AND " + STRANDED + ")) "
                        + "AND NOT begins_with(event_id, :test)")
                .expressionAttributeNames(Map.of("#agent", "agent", "#uid", "uid", "#status", "status"))
                .expressionAttributeValues(Map.of(
                        ":p",
                        string(agentUid),
                        ":from",
                        string(Ids.lowestExecutionUid(from)),
                        ":to",
                        string(Ids.highestExecutionUid(to)),
                        ":failed",
                        string(ExecutionStatus.FAILED.wire()),
                        ":test",
                        string(Execution.TEST_EVENT_PREFIX),
                        ":running",
                        string(ExecutionStatus.RUNNING.wire()),
                        ":nowMillis",
                        number(now.toEpochMilli()),
                        ":overdue",
                        timestamp(now.minus(OVERDUE))));
        if (startKey != null) {
            request.exclusiveStartKey(Attributes.keyOf(startKey));
        }
        QueryResponse response = dynamo.query(request.build());
        Map<String, String> next =
                response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                        ? Map.of("agent", agentUid, "uid", readString(response.lastEvaluatedKey(), "uid"))
                        : null;
        return new KeyedPage<>(
                response.items().stream().map(ExecutionLog::fromItem).toList(), next);
    }

    private static long ceilMillis(Instant instant) {
        return instant.toEpochMilli() + (instant.getNano() % 1_000_000 == 0 ? 0 : 1);
    }

    /**
     * The most executions a status-filtered listing reads in one request ({@value #FILTERED_READS} Queries of
     * {@value #FILTERED_PAGE}): the filter is applied after the read, so a rare status among many others would
     * otherwise be read for until the function's timeout.
     */
    public static final int FILTERED_READ_BOUND = 300;

    private static final int FILTERED_PAGE = 100;
    private static final int FILTERED_READS = FILTERED_READ_BOUND / FILTERED_PAGE;

    /**
     * A page of an agent's executions, newest first. Pending ones come from the sparse status index; the
     * other statuses are a filter on the agent's partition (a read cost, paid only by those listings, so
     * that no delivery pays an index write), read {@value #FILTERED_READ_BOUND} executions at most: such a page may
     * hold fewer than {@code limit} (none, even) and still have a next one, which starts where the reading stopped.
     */
    public KeyedPage<Execution> list(String agentUid, ExecutionStatus status, int limit, Map<String, String> startKey) {
        boolean filtered = status != null && status != ExecutionStatus.PENDING;
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> next = startKey == null ? null : Attributes.keyOf(startKey);
        int reads = 0;
        do {
            var request = QueryRequest.builder()
                    .tableName(table)
                    .scanIndexForward(false)
                    .limit(filtered ? FILTERED_PAGE : limit + 1 - items.size());
            if (status == ExecutionStatus.PENDING) {
                request.indexName(STATUS_INDEX)
                        .keyConditionExpression("agent_status = :p")
                        .expressionAttributeValues(Map.of(":p", string(statusKey(agentUid, status))));
            } else if (status == null) {
                // AGENT is one of DynamoDB's reserved words: the attribute is named through a placeholder.
                request.keyConditionExpression("#agent = :p AND begins_with(#uid, :prefix)")
                        .expressionAttributeNames(Map.of("#agent", "agent", "#uid", "uid"))
                        .expressionAttributeValues(Map.of(":p", string(agentUid), ":prefix", string(EXECUTION_PREFIX)));
            } else {
                request.keyConditionExpression("#agent = :p AND begins_with(#uid, :prefix)")
                        .filterExpression("#status = :status")
                        .expressionAttributeNames(Map.of("#agent", "agent", "#uid", "uid", "#status", "status"))
                        .expressionAttributeValues(Map.of(
                                ":p",
                                string(agentUid),
                                ":prefix",
                                string(EXECUTION_PREFIX),
                                ":status",
                                string(status.wire())));
            }
            if (next != null) {
                request.exclusiveStartKey(next);
            }
            QueryResponse response = dynamo.query(request.build());
            reads++;
            items.addAll(response.items());
            next = response.hasLastEvaluatedKey()
                            && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey()
                    : null;
        } while (next != null && items.size() <= limit && (!filtered || reads < FILTERED_READS));
        List<Execution> executions = withPayloads(items.stream().limit(limit).toList());
        Map<String, String> lastKey = null;
        if (items.size() > limit) {
            Execution last = executions.get(executions.size() - 1);
            lastKey = new LinkedHashMap<>(Map.of("agent", agentUid, "uid", last.uid()));
            if (status == ExecutionStatus.PENDING) {
                lastKey.put("agent_status", statusKey(agentUid, status));
            }
        } else if (next != null) {
            // The read bound ran out first: the next page goes on from the last execution read.
            lastKey = new LinkedHashMap<>(Map.of(
                    "agent", next.get("agent").s(), "uid", next.get("uid").s()));
        }
        return new KeyedPage<>(executions, lastKey);
    }

    /**
     * A pull-mode agent's poll, a work-queue receive: claims and answers its oldest claimable executions, at most
     * {@code limit}. Claimable: pending, or claimed by a poll whose claim ran out before an action. Each claimed one
     * becomes {@code running} until {@code claimUntil}, its {@code attempts} counting the claims, by one conditional
     * write, so that two polls never receive the same execution. One that was claimed {@code maxClaims} times
     * without an action is ended {@code failed} instead, with the reason.
     */
    public List<Execution> claim(String agentUid, int limit, Instant now, Instant claimUntil, int maxClaims) {
        List<Execution> candidates = new ArrayList<>(claimable(agentUid, ExecutionStatus.PENDING, limit, now));
        candidates.addAll(claimable(agentUid, ExecutionStatus.RUNNING, limit, now));
        candidates.sort(java.util.Comparator.comparing(Execution::uid));
        List<Execution> claimed = new ArrayList<>();
        for (Execution candidate : candidates) {
            if (claimed.size() == limit) {
                break;
            }
            try {
                if (candidate.attempts() >= maxClaims) {
                    endUnhandled(candidate, now, maxClaims);
                    continue;
                }
                claimOne(candidate, now, claimUntil).ifPresent(claimed::add);
            } catch (RuntimeException e) {
                // What this poll claimed already is answered rather than lost to a failure of a later claim.
                if (claimed.isEmpty() || !AwsFailures.isTransient(e)) {
                    throw e;
                }
                break;
            }
        }
        return claimed;
    }

    /** Pending executions, or (for {@code RUNNING}) claimed ones whose claim ran out, oldest first. */
    private List<Execution> claimable(String agentUid, ExecutionStatus status, int limit, Instant now) {
        List<Execution> found = new ArrayList<>();
        Map<String, AttributeValue> next = null;
        do {
            var request = QueryRequest.builder()
                    .tableName(table)
                    .indexName(STATUS_INDEX)
                    .scanIndexForward(true)
                    .keyConditionExpression("agent_status = :p")
                    .limit(limit);
            if (status == ExecutionStatus.RUNNING) {
                request.filterExpression("claimed_until < :now")
                        .expressionAttributeValues(
                                Map.of(":p", string(statusKey(agentUid, status)), ":now", timestamp(now)));
            } else {
                request.expressionAttributeValues(Map.of(":p", string(statusKey(agentUid, status))));
            }
            if (next != null) {
                request.exclusiveStartKey(next);
            }
            QueryResponse response = dynamo.query(request.build());
            response.items().stream().map(ExecutionLog::fromItem).forEach(found::add);
            next = response.hasLastEvaluatedKey()
                            && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey()
                    : null;
        } while (next != null && found.size() < limit);
        return found;
    }

    private Optional<Execution> claimOne(Execution seen, Instant now, Instant claimUntil) {
        // Which poll claims: a retried write whose first answer was lost finds its own claim there.
        String holder = UUID.randomUUID().toString();
        try {
            var claimed = dynamo.updateItem(r -> r.tableName(table)
                    .key(key(seen.agentUid(), seen.uid()))
                    .updateExpression("SET #status = :running, agent_status = :claimedKey, claimed_until = :until, "
                            + "claim_holder = :holder, attempts = :claims, updated_at = :now, started_at = :started")
                    .conditionExpression("attempts = :seen AND (#status = :pending "
                            + "OR (#status = :running AND claimed_until < :now))")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.ofEntries(
                            Map.entry(":running", string(ExecutionStatus.RUNNING.wire())),
                            Map.entry(":pending", string(ExecutionStatus.PENDING.wire())),
                            Map.entry(":claimedKey", string(statusKey(seen.agentUid(), ExecutionStatus.RUNNING))),
                            Map.entry(":until", timestamp(claimUntil)),
                            Map.entry(":holder", string(holder)),
                            Map.entry(":started", timestamp(seen.startedAt() == null ? now : seen.startedAt())),
                            Map.entry(":claims", number(seen.attempts() + 1)),
                            Map.entry(":seen", number(seen.attempts())),
                            Map.entry(":now", timestamp(now))))
                    .returnValues(ReturnValue.ALL_NEW)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return Optional.of(fromItem(claimed.attributes()));
        } catch (ConditionalCheckFailedException e) {
            // Ours when our own earlier sending of this write took effect; else another poll or an action got it.
            return e.hasItem() && holder.equals(readString(e.item(), "claim_holder"))
                    ? Optional.of(fromItem(e.item()))
                    : Optional.empty();
        }
    }

    /** Ends an execution claimed {@code maxClaims} times without an action, unless a poll or an action moved it. */
    private void endUnhandled(Execution seen, Instant now, int maxClaims) {
        Execution failed = seen.finished(
                ExecutionStatus.FAILED, null, null, null, "Not handled after " + maxClaims + " claims.", now);
        finish(seen, failed);
    }

    private static Map<String, AttributeValue> key(String agentUid, String executionUid) {
        return Map.of("agent", string(agentUid), "uid", string(executionUid));
    }

    private static String statusKey(String agentUid, ExecutionStatus status) {
        return agentUid + "|" + status.wire();
    }

    Map<String, AttributeValue> toItem(Execution execution) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("agent", string(execution.agentUid()));
        item.put("uid", string(execution.uid()));
        item.put("tenant", string(execution.tenant()));
        if (execution.status() == ExecutionStatus.PENDING) {
            // Only pull-mode executions are ever pending, and only they are looked up by uid alone.
            item.put("agent_status", string(statusKey(execution.agentUid(), execution.status())));
            item.put("pull_uid", string(execution.uid()));
        }
        item.put("status", string(execution.status().wire()));
        item.put("event_id", string(execution.eventId()));
        item.put("event_type", string(execution.eventType()));
        item.put("task", string(execution.task()));
        item.put("result", string(execution.result()));
        item.put(
                "action",
                string(execution.action() == null ? null : execution.action().wire()));
        item.put(
                "event_payload",
                string(execution.eventPayload() == null ? null : Json.write(execution.eventPayload())));
        item.put(
                "response_payload",
                string(execution.responsePayload() == null ? null : Json.write(execution.responsePayload())));
        item.put("error_message", string(execution.errorMessage()));
        item.put("attempts", number(execution.attempts()));
        item.put("started_at", timestamp(execution.startedAt()));
        item.put("completed_at", timestamp(execution.completedAt()));
        item.put("created_at", timestamp(execution.createdAt()));
        item.put("updated_at", timestamp(execution.updatedAt()));
        item.put("attempt_history", history(execution.attemptHistory()));
        item.put("next_attempt_at", timestamp(execution.nextAttemptAt()));
        item.put("expires_at", number(execution.createdAt().plus(retention).getEpochSecond()));
        return item;
    }

    /** The execution of {@code item}, with its event's payload where it is stored apart. */
    private Execution withPayload(Map<String, AttributeValue> item) {
        Execution execution = fromItem(item);
        String key = readString(item, "payload_key");
        return key == null
                ? execution
                : execution.withEventPayload(payloads.readOne(key).orElse(null));
    }

    /** The executions of {@code items}, with their events' payloads where stored apart (one BatchGetItem for all). */
    private List<Execution> withPayloads(List<Map<String, AttributeValue>> items) {
        List<String> keys = items.stream()
                .map(item -> readString(item, "payload_key"))
                .filter(java.util.Objects::nonNull)
                .toList();
        Map<String, Map<String, Object>> found = keys.isEmpty() ? Map.of() : payloads.read(keys);
        return items.stream()
                .map(item -> {
                    Execution execution = fromItem(item);
                    String key = readString(item, "payload_key");
                    return key == null ? execution : execution.withEventPayload(found.get(key));
                })
                .toList();
    }

    static Execution fromItem(Map<String, AttributeValue> item) {
        return new Execution(
                readString(item, "uid"),
                readString(item, "agent"),
                readString(item, "tenant"),
                readString(item, "event_id"),
                readString(item, "event_type"),
                readString(item, "task"),
                readString(item, "result"),
                ExecutionStatus.fromWire(readString(item, "status")).orElse(ExecutionStatus.PENDING),
                AgentDecision.fromWire(readString(item, "action")).orElse(null),
                Json.objectOrNull(readString(item, "event_payload")),
                Json.objectOrNull(readString(item, "response_payload")),
                readString(item, "error_message"),
                (int) readNumber(item, "attempts"),
                readInstant(item, "started_at"),
                readInstant(item, "completed_at"),
                readInstant(item, "created_at"),
                readInstant(item, "updated_at"),
                history(readString(item, "attempt_history")),
                readInstant(item, "next_attempt_at"));
    }

    /** The attempt history as one JSON string attribute (a tenth of the size of a list of maps' type tags). */
    private static AttributeValue history(List<Attempt> attempts) {
        return string(
                attempts.isEmpty()
                        ? null
                        : Json.write(attempts.stream().map(Attempt::toJson).toList()));
    }

    private static List<Attempt> history(String json) {
        if (json == null) {
            return List.of();
        }
        List<Attempt> attempts = new ArrayList<>();
        for (JsonValue attempt : Json.parse(json)) {
            attempts.add(new Attempt(
                    attempt.path("attempt").asInt(),
                    Instant.parse(attempt.path("started_at").textValue()),
                    attempt.path("duration_ms").asLong(),
                    attempt.path("status_code").isNumber()
                            ? attempt.path("status_code").asInt()
                            : null,
                    attempt.path("error").textValue()));
        }
        return attempts;
    }
}
