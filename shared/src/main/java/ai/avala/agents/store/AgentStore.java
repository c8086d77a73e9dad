package ai.avala.agents.store;

import static ai.avala.agents.store.Attributes.bool;
import static ai.avala.agents.store.Attributes.number;
import static ai.avala.agents.store.Attributes.readBool;
import static ai.avala.agents.store.Attributes.readInstant;
import static ai.avala.agents.store.Attributes.readNumber;
import static ai.avala.agents.store.Attributes.readString;
import static ai.avala.agents.store.Attributes.readStrings;
import static ai.avala.agents.store.Attributes.string;
import static ai.avala.agents.store.Attributes.stringList;
import static ai.avala.agents.store.Attributes.timestamp;

import ai.avala.agents.errors.ConflictException;
import ai.avala.agents.model.Agent;
import ai.avala.agents.model.ExecutionStats;
import ai.avala.agents.model.PreviousSecret;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * Agents in DynamoDB: partition {@code tenant}, sort {@code uid} (time-ordered, so a reverse query is
 * newest first). Every write also maintains the subscription index items of {@link SubscriptionIndex}
 * in the same transaction, so the dispatcher's key lookups always agree with the agents.
 */
public final class AgentStore {

    static final int MAX_TRANSACTION_ITEMS = 100;
    /**
     * Tries of a transaction that DynamoDB cancelled for a conflict with another one (every create and delete of
     * a tenant moves its count item): jittered, growing waits of at most about 4.5 s in all, within the API
     * functions' timeouts.
     */
    private static final int TRANSACTION_CONFLICT_TRIES = 8;

    private static final String AGENT_UID_PREFIX = "agent_";
    /** The item of a tenant's partition that counts its agents (for the quota); never listed as an agent. */
    private static final String TENANT_COUNT_UID = "tenant#agent-count";

    private final DynamoDbClient dynamo;
    private final String table;
    private final SubscriptionIndex subscriptions;
    private final ExecutionStatsStore stats;
    private final PullAgentNames pullNames;

    public AgentStore(DynamoDbClient dynamo, String table, SubscriptionIndex subscriptions) {
        this.dynamo = dynamo;
        this.table = table;
        this.subscriptions = subscriptions;
        this.stats = new ExecutionStatsStore(dynamo, table);
        this.pullNames = new PullAgentNames(dynamo, table);
    }

    /** Another pull-mode agent of the tenant has the name (pull-mode names are unique per tenant). */
    public static final class PullNameTakenException extends RuntimeException {
        PullNameTakenException() {
            super("Pull-mode agent name taken", null, false, false);
        }
    }

    /** The tenant already has as many agents as it may have. */
    public static final class QuotaExceededException extends RuntimeException {
        QuotaExceededException() {
            super("Agent quota reached", null, false, false);
        }
    }

    /**
     * Creates the agent and its subscriptions (and a pull-mode agent's name key), and counts it in its tenant's
     * agent count, unless the tenant already has {@code maxAgents} agents ({@link QuotaExceededException}) or,
     * for a pull-mode agent, another one of the tenant has its name ({@link PullNameTakenException}).
     */
    public void create(Agent agent, int maxAgents) {
        List<TransactWriteItem> writes = new ArrayList<>();
        writes.add(TransactWriteItem.builder()
                .update(Update.builder()
                        .tableName(table)
                        .key(key(agent.tenant(), TENANT_COUNT_UID))
                        .updateExpression("ADD agent_count :one")
                        .conditionExpression("attribute_not_exists(agent_count) OR agent_count < :max")
                        .expressionAttributeValues(Map.of(":one", number(1), ":max", number(maxAgents)))
                        .build())
                .build());
        writes.add(TransactWriteItem.builder()
                .put(Put.builder()
                        .tableName(table)
                        .item(toItem(agent))
                        .conditionExpression("attribute_not_exists(#uid)")
                        .expressionAttributeNames(Map.of("#uid", "uid"))
                        .build())
                .build());
        writes.add(stats.create(agent.tenant(), agent.uid()));
        agent.events().forEach(event -> writes.add(subscriptions.put(agent.tenant(), event, agent.uid())));
        PullAgentNames.keyOf(agent).ifPresent(key -> writes.add(pullNames.claim(agent, key)));
        try {
            write(writes);
        } catch (TransactionCanceledException e) {
            if (agent.pullMode() && conditionFailed(e.cancellationReasons().get(writes.size() - 1))) {
                throw new PullNameTakenException();
            }
            if (conditionFailed(e.cancellationReasons().get(0))) {
                throw new QuotaExceededException();
            }
            if (e.cancellationReasons().stream().anyMatch(AgentStore::conditionFailed)) {
                throw new ConflictException("The agent could not be created; please retry.");
            }
            throw e;
        }
    }

    /**
     * The agent with its execution statistics, in one consistent Query: its statistics item sorts right
     * after it ({@code <uid>#stats}).
     */
    public Optional<Agent> find(String tenant, String uid) {
        List<Map<String, AttributeValue>> items = dynamo.query(r -> r.tableName(table)
                        .consistentRead(true)
                        .keyConditionExpression("#tenant = :tenant AND begins_with(#uid, :uid)")
                        .expressionAttributeNames(Map.of("#tenant", "tenant", "#uid", "uid"))
                        .expressionAttributeValues(Map.of(":tenant", string(tenant), ":uid", string(uid))))
                .items();
        return agentsWithStats(items).stream()
                .filter(agent -> agent.uid().equals(uid))
                .findFirst();
    }

    /**
     * The tenant's pull-mode agent named {@code name}, with its statistics. The first look-up of a tenant that
     * misses gives the tenant's agents stored before the name keys theirs (once), then looks again.
     */
    public Optional<Agent> findPullModeNamed(String tenant, String name) {
        Optional<String> uid = pullNames.agentNamed(tenant, name);
        if (uid.isEmpty() && pullNames.indexStoredAgentsOnce(tenant)) {
            uid = pullNames.agentNamed(tenant, name);
        }
        if (uid.isEmpty()) {
            return Optional.empty();
        }
        Optional<Agent> named = find(tenant, uid.get())
                .filter(agent -> agent.pullMode() && agent.name().equals(name));
        if (named.isEmpty()) {
            // A key that names no such agent any more (indexing raced a delete or rename): it frees the name.
            pullNames.forget(tenant, name, uid.get());
        }
        return named;
    }

    /** Agents and their statistics items, in the order read, as agents carrying their statistics. */
    private static List<Agent> agentsWithStats(List<Map<String, AttributeValue>> items) {
        Map<String, ExecutionStats> counts = new HashMap<>();
        List<Map<String, AttributeValue>> agentItems = new ArrayList<>();
        for (Map<String, AttributeValue> item : items) {
            String uid = readString(item, "uid");
            if (ExecutionStatsStore.isStatsItem(uid)) {
                counts.put(ExecutionStatsStore.agentOf(uid), ExecutionStatsStore.fromItem(item));
            } else {
                agentItems.add(item);
            }
        }
        return agentItems.stream()
                .map(AgentStore::fromItem)
                .map(agent -> agent.withStats(counts.getOrDefault(agent.uid(), ExecutionStats.ZERO)))
                .toList();
    }

    /** The agent as configured, its statistics left at zero (for delivering to it). */
    public Optional<Agent> findWithoutStats(String tenant, String uid) {
        var item = dynamo.getItem(r -> r.tableName(table).key(key(tenant, uid)).consistentRead(true))
                .item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(fromItem(item));
    }

    /**
     * A page of the tenant's agents with their statistics, newest first. Each agent's statistics item sorts
     * just before it in this order, so a page reads up to two items per agent; the cursor is the last agent.
     */
    public KeyedPage<Agent> list(String tenant, int limit, Map<String, String> startKey) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> next = startKey == null ? null : Attributes.keyOf(startKey);
        int agentsRead = 0;
        do {
            var request = QueryRequest.builder()
                    .tableName(table)
                    .keyConditionExpression("#tenant = :tenant AND begins_with(#uid, :agent)")
                    .expressionAttributeNames(Map.of("#tenant", "tenant", "#uid", "uid"))
                    .expressionAttributeValues(Map.of(":tenant", string(tenant), ":agent", string(AGENT_UID_PREFIX)))
                    .scanIndexForward(false)
                    .limit(2 * (limit + 1 - agentsRead));
            if (next != null) {
                request.exclusiveStartKey(next);
            }
            var response = dynamo.query(request.build());
            for (Map<String, AttributeValue> item : response.items()) {
                if (agentsRead > limit) {
                    break;
                }
                items.add(item);
                agentsRead += ExecutionStatsStore.isStatsItem(readString(item, "uid")) ? 0 : 1;
            }
            next = response.hasLastEvaluatedKey()
                            && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey()
                    : null;
        } while (next != null && agentsRead <= limit);
        List<Agent> agents = agentsWithStats(items);
        List<Agent> page = agents.stream().limit(limit).toList();
        Map<String, String> lastKey = agents.size() > limit
                ? Map.of("tenant", tenant, "uid", page.get(page.size() - 1).uid())
                : null;
        return new KeyedPage<>(page, lastKey);
    }

    /** The agents of {@code tenant} among {@code uids} (missing ones are left out), read consistently in batches. */
    public List<Agent> findAll(String tenant, java.util.Collection<String> uids) {
        List<Agent> found = new ArrayList<>();
        List<String> all = List.copyOf(uids);
        for (int start = 0; start < all.size(); start += 100) {
            List<Map<String, AttributeValue>> keys = all.subList(start, Math.min(all.size(), start + 100)).stream()
                    .map(uid -> key(tenant, uid))
                    .toList();
            Map<String, KeysAndAttributes> request = Map.of(
                    table,
                    KeysAndAttributes.builder().keys(keys).consistentRead(true).build());
            for (int round = 0; !request.isEmpty(); round++) {
                if (round > 0) {
                    pause(round);
                }
                Map<String, KeysAndAttributes> pending = request;
                var response = dynamo.batchGetItem(r -> r.requestItems(pending));
                response.responses().getOrDefault(table, List.of()).forEach(item -> found.add(fromItem(item)));
                request = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
            }
        }
        return found;
    }

    /**
     * Switches an active agent off, saying why (its receiver answered 410 Gone, or its callbacks failed for too
     * long). {@code judgedStreak}, when not null, is the failure streak the decision was made on: the agent is
     * switched off only if that streak still stands (no success ended it, no operator switched the agent on or
     * changed its URL meanwhile). True if this call switched it off; false if it was off already, deleted, or its
     * streak moved.
     */
    public boolean disable(String tenant, String uid, String reason, Instant now, Instant judgedStreak) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(
                ":false",
                bool(false),
                ":true",
                bool(true),
                ":reason",
                string(reason),
                ":now",
                timestamp(now),
                ":one",
                number(1)));
        String condition = "attribute_exists(#uid) AND #active = :true";
        if (judgedStreak != null) {
            values.put(":since", timestamp(judgedStreak));
            condition += " AND failing_since = :since";
        }
        String judged = condition;
        try {
            dynamo.updateItem(r -> r.tableName(table)
                    .key(key(tenant, uid))
                    .updateExpression("SET #active = :false, disabled_reason = :reason, #updatedAt = :now, "
                            + "#version = #version + :one REMOVE failing_since")
                    .conditionExpression(judged)
                    .expressionAttributeNames(Map.of(
                            "#active", "is_active", "#updatedAt", "updated_at", "#version", "version", "#uid", "uid"))
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException offDeletedOrMoved) {
            return false;
        }
    }

    /**
     * Records that the agent's callbacks started failing at {@code since}: one write on the first failure after
     * a success, none while the streak lasts (the condition keeps the first failure's time).
     */
    public void markFailing(String tenant, String uid, Instant since) {
        try {
            dynamo.updateItem(r -> r.tableName(table)
                    .key(key(tenant, uid))
                    .updateExpression("SET failing_since = :since")
                    // A healthy agent's item holds failing_since as NULL (or not at all).
                    .conditionExpression("attribute_exists(#uid) AND (attribute_not_exists(failing_since) "
                            + "OR attribute_type(failing_since, :null))")
                    .expressionAttributeNames(Map.of("#uid", "uid"))
                    .expressionAttributeValues(Map.of(":since", timestamp(since), ":null", string("NULL"))));
        } catch (ConditionalCheckFailedException failingAlreadyOrDeleted) {
            // Another delivery recorded the streak's start first, or the agent is gone.
        }
    }

    /** Ends a failure streak: one write on the first success after failures. */
    public void markHealthy(String tenant, String uid) {
        try {
            dynamo.updateItem(r -> r.tableName(table)
                    .key(key(tenant, uid))
                    .updateExpression("REMOVE failing_since")
                    .conditionExpression("attribute_exists(failing_since) AND NOT attribute_type(failing_since, :null)")
                    .expressionAttributeValues(Map.of(":null", string("NULL"))));
        } catch (ConditionalCheckFailedException healthyAlready) {
            // Another delivery ended the streak first.
        }
    }

    /**
     * Replaces the signing secret with {@code rotated}'s, keeping the previous one for its overlap, if the
     * secret is still the one {@code current} read (two rotations at once never lose a secret).
     */
    public void rotateSecret(Agent current, Agent rotated) {
        try {
            dynamo.updateItem(r -> r.tableName(table)
                    .key(key(current.tenant(), current.uid()))
                    .updateExpression("SET secret = :secret, previous_secret = :previous, "
                            + "previous_secret_expires_at = :expires, #updatedAt = :now, #version = #version + :one")
                    .conditionExpression("attribute_exists(#uid) AND secret = :current")
                    .expressionAttributeNames(Map.of("#uid", "uid", "#updatedAt", "updated_at", "#version", "version"))
                    .expressionAttributeValues(Map.of(
                            ":secret",
                            string(rotated.secret()),
                            ":previous",
                            string(
                                    rotated.previousSecret() == null
                                            ? null
                                            : rotated.previousSecret().secret()),
                            ":expires",
                            timestamp(
                                    rotated.previousSecret() == null
                                            ? null
                                            : rotated.previousSecret().expiresAt()),
                            ":now",
                            timestamp(rotated.updatedAt()),
                            ":one",
                            number(1),
                            ":current",
                            string(current.secret())))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
        } catch (ConditionalCheckFailedException changed) {
            // The new secret there already: our own earlier sending of this write took effect (its answer lost).
            if (!(changed.hasItem() && rotated.secret().equals(readString(changed.item(), "secret")))) {
                throw new ConflictException("The agent's secret was rotated by another request; please retry.");
            }
        }
    }

    /** Waits before try {@code round + 1}: growing, jittered (so that retries of two callers spread), under 1 s. */
    private static void pause(int round) {
        long ceiling = Math.min(1000, 50L << round);
        try {
            Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting to try DynamoDB again", e);
        }
    }

    /** Writes the editable fields of {@code updated} if nobody changed the agent since {@code current} was read. */
    public void update(Agent current, Agent updated) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":name", string(updated.name()));
        values.put(":description", string(updated.description()));
        values.put(":events", stringList(updated.events()));
        values.put(":callback", string(updated.callbackUrl()));
        values.put(":active", bool(updated.active()));
        values.put(":project", string(updated.project()));
        values.put(":taskTypes", stringList(updated.taskTypes()));
        values.put(":updatedAt", timestamp(updated.updatedAt()));
        values.put(":reason", string(updated.disabledReason()));
        values.put(":version", number(current.version()));
        values.put(":one", number(1));
        // failing_since is the deliveries' (they write it without moving the version): an update never writes back
        // the value it read, it only ends the streak when it switches the agent on or changes its callback URL.
        boolean endsStreak = updated.failingSince() == null
                && ((updated.active() && !current.active())
                        || !java.util.Objects.equals(updated.callbackUrl(), current.callbackUrl()));
        String expression = "SET #name = :name, #description = :description, #events = :events, "
                + "#callback = :callback, #active = :active, #project = :project, "
                + "#taskTypes = :taskTypes, #updatedAt = :updatedAt, disabled_reason = :reason, "
                + "#version = #version + :one" + (endsStreak ? " REMOVE failing_since" : "");
        String condition = "#version = :version";
        Map<String, String> names = Map.of(
                "#name",
                "name",
                "#description",
                "description",
                "#events",
                "events",
                "#callback",
                "callback_url",
                "#active",
                "is_active",
                "#project",
                "project",
                "#taskTypes",
                "task_types",
                "#updatedAt",
                "updated_at",
                "#version",
                "version");
        String conflict = "The agent was changed by another request; please retry.";
        Set<String> removed = new LinkedHashSet<>(current.events());
        removed.removeAll(updated.events());
        Set<String> added = new LinkedHashSet<>(updated.events());
        added.removeAll(current.events());
        Optional<String> nameWas = PullAgentNames.keyOf(current);
        Optional<String> nameIs = PullAgentNames.keyOf(updated);
        boolean nameMoves = !nameWas.equals(nameIs);
        if (removed.isEmpty() && added.isEmpty() && !nameMoves) {
            // Only the agent item changes: one conditional UpdateItem (1 write unit), not a transaction (2).
            try {
                dynamo.updateItem(r -> r.tableName(table)
                        .key(key(current.tenant(), current.uid()))
                        .updateExpression(expression)
                        .conditionExpression(condition)
                        .expressionAttributeNames(names)
                        .expressionAttributeValues(values)
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            } catch (ConditionalCheckFailedException changed) {
                // Written as this update writes it (the version it sets, its time): our own earlier sending of the
                // write took effect and its answer was lost. Anything else is another request's change.
                if (!(changed.hasItem() && isWrittenAs(fromItem(changed.item()), updated))) {
                    throw new ConflictException(conflict);
                }
            }
            return;
        }
        List<TransactWriteItem> writes = new ArrayList<>();
        writes.add(TransactWriteItem.builder()
                .update(Update.builder()
                        .tableName(table)
                        .key(key(current.tenant(), current.uid()))
                        .updateExpression(expression)
                        .conditionExpression(condition)
                        .expressionAttributeNames(names)
                        .expressionAttributeValues(values)
                        .build())
                .build());
        removed.forEach(event -> writes.add(subscriptions.delete(current.tenant(), event, current.uid())));
        added.forEach(event -> writes.add(subscriptions.put(current.tenant(), event, current.uid())));
        if (nameMoves) {
            nameWas.filter(key -> pullNames.isHeldBy(current))
                    .ifPresent(key -> writes.add(pullNames.release(current, key)));
            nameIs.ifPresent(key -> writes.add(pullNames.claim(updated, key)));
        }
        try {
            write(writes);
        } catch (TransactionCanceledException e) {
            if (nameMoves
                    && nameIs.isPresent()
                    && conditionFailed(e.cancellationReasons().get(writes.size() - 1))) {
                throw new ConflictException("Another pull-mode agent of this tenant is named \"" + updated.name()
                        + "\"; pull-mode agents are found by their name, so it must be unique.");
            }
            if (e.cancellationReasons().stream().anyMatch(AgentStore::conditionFailed)) {
                throw new ConflictException(conflict);
            }
            throw e;
        }
    }

    private static boolean isWrittenAs(Agent stored, Agent updated) {
        return stored.version() == updated.version()
                && java.util.Objects.equals(stored.updatedAt(), updated.updatedAt());
    }

    public void delete(Agent current) {
        List<TransactWriteItem> writes = new ArrayList<>();
        writes.add(TransactWriteItem.builder()
                .delete(Delete.builder()
                        .tableName(table)
                        .key(key(current.tenant(), current.uid()))
                        .conditionExpression("#version = :version")
                        .expressionAttributeNames(Map.of("#version", "version"))
                        .expressionAttributeValues(Map.of(":version", number(current.version())))
                        .build())
                .build());
        current.events().forEach(event -> writes.add(subscriptions.delete(current.tenant(), event, current.uid())));
        writes.add(stats.delete(current.tenant(), current.uid()));
        PullAgentNames.keyOf(current)
                .filter(key -> pullNames.isHeldBy(current))
                .ifPresent(key -> writes.add(pullNames.release(current, key)));
        writes.add(TransactWriteItem.builder()
                .update(Update.builder()
                        .tableName(table)
                        .key(key(current.tenant(), TENANT_COUNT_UID))
                        .updateExpression("ADD agent_count :minusOne")
                        .expressionAttributeValues(Map.of(":minusOne", number(-1)))
                        .build())
                .build());
        transact(writes, "The agent was changed by another request; please retry.");
    }

    /** One transaction; a conflict when one of its conditions failed. */
    private void transact(List<TransactWriteItem> writes, String conflictDetail) {
        try {
            write(writes);
        } catch (TransactionCanceledException e) {
            if (e.cancellationReasons().stream().anyMatch(AgentStore::conditionFailed)) {
                throw new ConflictException(conflictDetail);
            }
            throw e;
        }
    }

    /**
     * DynamoDB takes at most 100 items in a transaction: an agent write is at most the agent, its statistics,
     * its tenant's count and 2 x {@link ai.avala.agents.service.AgentChanges#MAX_EVENTS} subscriptions.
     */
    private void write(List<TransactWriteItem> writes) {
        if (writes.size() > MAX_TRANSACTION_ITEMS) {
            throw new IllegalStateException("A transaction of " + writes.size() + " items exceeds DynamoDB's 100");
        }
        for (int attempt = 1; ; attempt++) {
            try {
                dynamo.transactWriteItems(r -> r.transactItems(writes));
                return;
            } catch (TransactionCanceledException e) {
                // Another transaction held one of the items: nothing was written, and the SDK does not retry it.
                boolean conflictOnly = e.cancellationReasons().stream().noneMatch(AgentStore::conditionFailed)
                        && e.cancellationReasons().stream()
                                .anyMatch(reason -> "TransactionConflict".equals(reason.code()));
                if (!conflictOnly || attempt == TRANSACTION_CONFLICT_TRIES) {
                    throw e;
                }
                pause(attempt);
            }
        }
    }

    private static boolean conditionFailed(CancellationReason reason) {
        return "ConditionalCheckFailed".equals(reason.code());
    }

    static Map<String, AttributeValue> key(String tenant, String uid) {
        return Map.of("tenant", string(tenant), "uid", string(uid));
    }

    static Map<String, AttributeValue> toItem(Agent agent) {
        Map<String, AttributeValue> item = new HashMap<>(key(agent.tenant(), agent.uid()));
        item.put("name", string(agent.name()));
        item.put("description", string(agent.description()));
        item.put("events", stringList(agent.events()));
        item.put("callback_url", string(agent.callbackUrl()));
        item.put("is_active", bool(agent.active()));
        item.put("project", string(agent.project()));
        item.put("task_types", stringList(agent.taskTypes()));
        item.put("secret", string(agent.secret()));
        item.put(
                "previous_secret",
                string(
                        agent.previousSecret() == null
                                ? null
                                : agent.previousSecret().secret()));
        item.put(
                "previous_secret_expires_at",
                timestamp(
                        agent.previousSecret() == null
                                ? null
                                : agent.previousSecret().expiresAt()));
        item.put("disabled_reason", string(agent.disabledReason()));
        item.put("failing_since", timestamp(agent.failingSince()));
        item.put("created_at", timestamp(agent.createdAt()));
        item.put("updated_at", timestamp(agent.updatedAt()));
        item.put("version", number(agent.version()));
        return item;
    }

    static Agent fromItem(Map<String, AttributeValue> item) {
        return new Agent(
                readString(item, "tenant"),
                readString(item, "uid"),
                readString(item, "name"),
                readString(item, "description"),
                readStrings(item, "events"),
                readString(item, "callback_url"),
                readBool(item, "is_active"),
                readString(item, "project"),
                readStrings(item, "task_types"),
                readString(item, "secret"),
                readString(item, "previous_secret") == null
                        ? null
                        : new PreviousSecret(
                                readString(item, "previous_secret"), readInstant(item, "previous_secret_expires_at")),
                readString(item, "disabled_reason"),
                readInstant(item, "failing_since"),
                ExecutionStats.ZERO,
                readInstant(item, "created_at"),
                readInstant(item, "updated_at"),
                readNumber(item, "version"));
    }
}
