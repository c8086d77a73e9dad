package ai.avala.agents.local.emulator;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * DynamoDB checks a write's condition and makes the write atomically; moto does not when requests arrive
 * at once (two leases on one execution can both succeed), which would let the local stack call an agent
 * twice where AWS never would. So every SDK client of a test JVM or of the local stack sends conditional
 * writes to one item one at a time: each item maps to one of {@value #STRIPES} locks, a transaction takes
 * the locks of all its items in ascending order (so two never wait on each other). Writes to different items
 * run at once, as on AWS: one global lock made a fan-out's parallel writes queue behind each other.
 * Installed through the SDK's global interceptor list of this (never deployed) module; the functions' own
 * code is unchanged.
 */
public final class AtomicConditionalWrites implements ExecutionInterceptor {

    static final int STRIPES = 256;
    private static final ReentrantLock[] LOCKS = new ReentrantLock[STRIPES];
    private static final Map<String, List<String>> KEY_NAMES = new ConcurrentHashMap<>();
    private static final ExecutionAttribute<List<ReentrantLock>> HELD =
            new ExecutionAttribute<>("avala.atomic-conditional-write");

    static {
        for (int i = 0; i < STRIPES; i++) {
            LOCKS[i] = new ReentrantLock(true);
        }
    }

    /** Tells the interceptor a table's key attributes (the emulator does, as it creates the table). */
    static void registerTable(String table, List<String> keyNames) {
        KEY_NAMES.put(table, List.copyOf(keyNames));
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        TreeSet<Integer> stripes = stripesOf(context.request());
        if (stripes.isEmpty()) {
            return;
        }
        List<ReentrantLock> held = stripes.stream().map(stripe -> LOCKS[stripe]).toList();
        held.forEach(ReentrantLock::lock);
        attributes.putAttribute(HELD, held);
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        unlock(attributes);
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        unlock(attributes);
    }

    private static void unlock(ExecutionAttributes attributes) {
        List<ReentrantLock> held = attributes.getAttribute(HELD);
        if (held != null) {
            attributes.putAttribute(HELD, null);
            held.reversed().forEach(ReentrantLock::unlock);
        }
    }

    /** The lock stripes of the items a conditional write or transaction touches (none for other requests). */
    static TreeSet<Integer> stripesOf(SdkRequest request) {
        TreeSet<Integer> stripes = new TreeSet<>();
        switch (request) {
            case PutItemRequest put
            when put.conditionExpression() != null ->
                stripes.add(stripe(put.tableName(), keyOf(put.tableName(), put.item())));
            case UpdateItemRequest update
            when update.conditionExpression() != null -> stripes.add(stripe(update.tableName(), update.key()));
            case DeleteItemRequest delete
            when delete.conditionExpression() != null -> stripes.add(stripe(delete.tableName(), delete.key()));
            case TransactWriteItemsRequest transaction ->
                transaction.transactItems().forEach(item -> stripes.add(stripeOf(item)));
            default -> {}
        }
        return stripes;
    }

    private static int stripeOf(TransactWriteItem item) {
        if (item.put() != null) {
            return stripe(
                    item.put().tableName(),
                    keyOf(item.put().tableName(), item.put().item()));
        }
        if (item.update() != null) {
            return stripe(item.update().tableName(), item.update().key());
        }
        if (item.delete() != null) {
            return stripe(item.delete().tableName(), item.delete().key());
        }
        return stripe(item.conditionCheck().tableName(), item.conditionCheck().key());
    }

    /** The key attributes of a whole item (none where the table's key is not known). */
    private static Map<String, AttributeValue> keyOf(String table, Map<String, AttributeValue> item) {
        Map<String, AttributeValue> key = new TreeMap<>();
        KEY_NAMES.getOrDefault(table, List.of()).forEach(name -> key.put(name, item.get(name)));
        return key;
    }

    /** An item's stripe; a table whose key is not known has one stripe for all its items (a stricter lock). */
    private static int stripe(String table, Map<String, AttributeValue> key) {
        if (!KEY_NAMES.containsKey(table)) {
            return Math.floorMod(table.hashCode(), STRIPES);
        }
        return Math.floorMod((table + new TreeMap<>(key)).hashCode(), STRIPES);
    }
}
