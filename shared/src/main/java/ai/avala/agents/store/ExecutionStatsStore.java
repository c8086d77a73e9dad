package ai.avala.agents.store;

import static ai.avala.agents.store.Attributes.number;
import static ai.avala.agents.store.Attributes.readNumber;
import static ai.avala.agents.store.Attributes.string;

import ai.avala.agents.model.ExecutionStats;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * An agent's {@code execution_stats}, in an item of its own beside the agent ({@code <agent uid>#stats} in
 * the tenant's partition of the agents table, read in the same Query as the agent), so that no delivery
 * writes the agent's item. The counts
 * move in batches from the executions table's stream ({@code functions/stats}): one write per agent per
 * batch, however many of its executions the batch holds. Each write is guarded by the stream sequence
 * numbers it covers, so a batch delivered again counts nothing twice. The item is created and deleted with
 * its agent, and a count for an agent deleted meanwhile is dropped.
 */
public final class ExecutionStatsStore {

    private static final String SUFFIX = "#stats";
    private final DynamoDbClient dynamo;
    private final String table;

    public ExecutionStatsStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /** How an agent's counts change: each a signed number of executions. */
    public record Delta(long total, long success, long failed, long pending) {
        public static final Delta NONE = new Delta(0, 0, 0, 0);

        public Delta plus(Delta other) {
            return new Delta(
                    total + other.total, success + other.success, failed + other.failed, pending + other.pending);
        }

        public boolean isNone() {
            return equals(NONE);
        }
    }

    TransactWriteItem create(String tenant, String agentUid) {
        Map<String, AttributeValue> item = new HashMap<>(key(tenant, agentUid));
        item.put("stats_total", number(0));
        item.put("stats_success", number(0));
        item.put("stats_failed", number(0));
        item.put("stats_pending", number(0));
        return TransactWriteItem.builder()
                .put(Put.builder().tableName(table).item(item).build())
                .build();
    }

    TransactWriteItem delete(String tenant, String agentUid) {
        return TransactWriteItem.builder()
                .delete(Delete.builder()
                        .tableName(table)
                        .key(key(tenant, agentUid))
                        .build())
                .build();
    }

    /**
     * Adds {@code delta} to the agent's counts, covering the stream records up to {@code lastSequence},
     * if the counts stand where the caller read them: none counted yet past {@code countedUpTo} (null: none
     * ever), or, with {@code countedUpTo} null and {@code firstSequence} given, nothing at or past the first
     * record. False when that no longer holds, or the agent is gone.
     */
    public boolean apply(
            String tenant, String agentUid, Delta delta, BigInteger firstSequence, BigInteger lastSequence) {
        return update(
                tenant,
                agentUid,
                delta,
                lastSequence,
                "attribute_exists(#uid) AND (attribute_not_exists(last_sequence) OR last_sequence < :bound)",
                firstSequence);
    }

    /** As {@link #apply}, when the counts are known to cover the records up to {@code countedUpTo} exactly. */
    public boolean applyAfter(
            String tenant, String agentUid, Delta delta, BigInteger countedUpTo, BigInteger lastSequence) {
        return countedUpTo == null
                ? update(
                        tenant,
                        agentUid,
                        delta,
                        lastSequence,
                        "attribute_exists(#uid) AND attribute_not_exists(last_sequence)",
                        null)
                : update(
                        tenant,
                        agentUid,
                        delta,
                        lastSequence,
                        "attribute_exists(#uid) AND last_sequence = :bound",
                        countedUpTo);
    }

    /** The last stream record the agent's counts cover (empty optional inside: none yet); empty if the agent is gone. */
    public java.util.Optional<java.util.Optional<BigInteger>> countedUpTo(String tenant, String agentUid) {
        var item = dynamo.getItem(
                        r -> r.tableName(table).key(key(tenant, agentUid)).consistentRead(true))
                .item();
        if (item == null || item.isEmpty()) {
            return java.util.Optional.empty();
        }
        AttributeValue last = item.get("last_sequence");
        return java.util.Optional.of(
                last == null || last.n() == null
                        ? java.util.Optional.empty()
                        : java.util.Optional.of(new BigInteger(last.n())));
    }

    private boolean update(
            String tenant, String agentUid, Delta delta, BigInteger lastSequence, String condition, BigInteger bound) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(
                ":t",
                number(delta.total()),
                ":s",
                number(delta.success()),
                ":f",
                number(delta.failed()),
                ":p",
                number(delta.pending()),
                ":last",
                AttributeValue.fromN(lastSequence.toString())));
        if (bound != null) {
            values.put(":bound", AttributeValue.fromN(bound.toString()));
        }
        try {
            dynamo.updateItem(r -> r.tableName(table)
                    .key(key(tenant, agentUid))
                    .updateExpression("ADD stats_total :t, stats_success :s, stats_failed :f, stats_pending :p "
                            + "SET last_sequence = :last")
                    .conditionExpression(condition)
                    .expressionAttributeNames(Map.of("#uid", "uid"))
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException changedOrGone) {
            return false;
        }
    }

    static boolean isStatsItem(String uid) {
        return uid != null && uid.endsWith(SUFFIX);
    }

    static String agentOf(String statsUid) {
        return statsUid.substring(0, statsUid.length() - SUFFIX.length());
    }

    static ExecutionStats fromItem(Map<String, AttributeValue> item) {
        return new ExecutionStats(
                readNumber(item, "stats_total"),
                readNumber(item, "stats_success"),
                readNumber(item, "stats_failed"),
                readNumber(item, "stats_pending"));
    }

    private static Map<String, AttributeValue> key(String tenant, String agentUid) {
        return Map.of("tenant", string(tenant), "uid", string(agentUid + SUFFIX));
    }
}
