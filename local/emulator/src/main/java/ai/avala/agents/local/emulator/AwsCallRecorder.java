package ai.avala.agents.local.emulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/**
 * Records, for the IAM check of {@code .ci/check-deployment.py}, every AWS call a function's own code makes:
 * the IAM action AWS authorizes and the resource it names, attributed to the function whose handler
 * package is on the calling stack (its main classes, not its tests: the tests' own seeding is not the
 * function's). A transaction is recorded per item, as AWS authorizes it. Installed in every SDK client
 * of a test JVM through the SDK's global interceptor list; records only when the system property
 * {@code avala.iam.calls} names a folder, one JSON line per distinct call in a file per JVM.
 */
public final class AwsCallRecorder implements ExecutionInterceptor {

    static final String PROPERTY = "avala.iam.calls";
    private static final String FUNCTIONS_PACKAGE = "ai.avala.agents.functions.";
    private static final String REGION = "us-east-1";
    private static final String ACCOUNT = "000000000000";
    private static final Set<String> SEEN = ConcurrentHashMap.newKeySet();
    private static final StackWalker STACK = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    /** One authorized (action, resource) pair of one call. */
    record Call(String action, String resource) {}

    /**
     * Counting mode (local/bench): what each function package's AWS calls consume by AWS's billing rules (see
     * {@link Usage}).
     */
    public static final String COUNT_PROPERTY = "avala.count.writes";

    /** What one function's AWS calls consumed, by AWS's billing rules. */
    public enum Measure {
        /** DynamoDB calls of any kind (each one a round trip in a latency model). */
        DYNAMODB_CALLS,
        /** Write units, by the larger of the item's size before and after (a refused conditional write too). */
        DYNAMODB_WRITE_UNITS,
        /** Read units, by the size read (halved when eventually consistent). */
        DYNAMODB_READ_UNITS,
        /** SQS calls of any kind. */
        SQS_CALLS,
        /** SQS requests as billed: each started 64 KB of a call's payload is one. */
        SQS_BILLED_REQUESTS,
        /** Bytes of the messages sent to SQS. */
        SQS_BYTES_SENT
    }

    private static final Map<String, Map<Measure, java.util.concurrent.atomic.DoubleAdder>> USAGE =
            new ConcurrentHashMap<>();
    /** The last size seen of each item written or read (table and key), the "before" of its next write. */
    private static final Map<String, Long> ITEM_SIZES = new ConcurrentHashMap<>();

    private static final software.amazon.awssdk.core.interceptor.ExecutionAttribute<String> FUNCTION =
            new software.amazon.awssdk.core.interceptor.ExecutionAttribute<>("avala.function");
    private static final ThreadLocal<Boolean> SIZING = ThreadLocal.withInitial(() -> false);
    private static volatile software.amazon.awssdk.services.dynamodb.DynamoDbClient sizer;

    /**
     * Reads the item an UpdateItem wrote, when its answer does not carry it, with {@code client} (its reads are not
     * counted): without it such an update counts the item's last size seen.
     */
    public static void sizeUpdatesWith(software.amazon.awssdk.services.dynamodb.DynamoDbClient client) {
        sizer = client;
    }

    /** What each function package consumed so far (only with {@value #COUNT_PROPERTY} set). */
    public static Map<String, Map<Measure, Double>> usage() {
        Map<String, Map<Measure, Double>> snapshot = new java.util.TreeMap<>();
        USAGE.forEach((function, measures) -> {
            Map<Measure, Double> values = new java.util.EnumMap<>(Measure.class);
            measures.forEach((measure, value) -> values.put(measure, value.sum()));
            snapshot.put(function, values);
        });
        return snapshot;
    }

    /** Write units counted so far per function package (only with {@value #COUNT_PROPERTY} set). */
    public static Map<String, Long> writeUnits() {
        Map<String, Long> snapshot = new java.util.TreeMap<>();
        usage().forEach((function, measures) ->
                snapshot.put(function, Math.round(measures.getOrDefault(Measure.DYNAMODB_WRITE_UNITS, 0.0))));
        return snapshot;
    }

    private static void add(String function, Measure measure, double value) {
        USAGE.computeIfAbsent(function, f -> new ConcurrentHashMap<>())
                .computeIfAbsent(measure, m -> new java.util.concurrent.atomic.DoubleAdder())
                .add(value);
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        String function = attributes.getAttribute(FUNCTION);
        if (function != null) {
            count(function, context.request(), context.response(), null);
        }
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        String function = attributes.getAttribute(FUNCTION);
        // A refused conditional write consumes write units too; other failures (faults) are not billed here.
        if (function != null
                && context.exception()
                        instanceof
                        software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException refused) {
            count(function, context.request(), null, refused.hasItem() ? refused.item() : Map.of());
        }
    }

    /** Counts one call that took effect ({@code response}) or was refused by its condition ({@code oldItem}). */
    private static void count(
            String function,
            SdkRequest request,
            software.amazon.awssdk.core.SdkResponse response,
            Map<String, AttributeValue> oldItem) {
        switch (request) {
            case software.amazon.awssdk.services.dynamodb.model.PutItemRequest put -> {
                add(function, Measure.DYNAMODB_CALLS, 1);
                String key = itemKey(put.tableName(), put.item());
                // A refused put is billed on the item that refused it (the one seen last, unless the refusal gave it).
                long before = oldItem != null && !oldItem.isEmpty()
                        ? ItemSizes.of(oldItem)
                        : ITEM_SIZES.getOrDefault(key, 0L);
                long after = oldItem != null ? before : ItemSizes.of(put.item());
                add(function, Measure.DYNAMODB_WRITE_UNITS, ItemSizes.writeUnits(Math.max(before, after)));
                if (oldItem == null) {
                    ITEM_SIZES.put(key, after);
                }
            }
            case software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest update -> {
                add(function, Measure.DYNAMODB_CALLS, 1);
                String key = itemKey(update.tableName(), update.key());
                long before = oldItem != null && !oldItem.isEmpty()
                        ? ItemSizes.of(oldItem)
                        : ITEM_SIZES.getOrDefault(key, 0L);
                long after = before;
                if (response instanceof software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse updated) {
                    after = updated.hasAttributes()
                                    && update.returnValues()
                                            == software.amazon.awssdk.services.dynamodb.model.ReturnValue.ALL_NEW
                            ? ItemSizes.of(updated.attributes())
                            : sizeNow(update.tableName(), update.key()).orElse(before);
                    ITEM_SIZES.put(key, after);
                }
                add(function, Measure.DYNAMODB_WRITE_UNITS, ItemSizes.writeUnits(Math.max(before, after)));
            }
            case software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest delete -> {
                add(function, Measure.DYNAMODB_CALLS, 1);
                String key = itemKey(delete.tableName(), delete.key());
                add(function, Measure.DYNAMODB_WRITE_UNITS, ItemSizes.writeUnits(ITEM_SIZES.getOrDefault(key, 0L)));
                ITEM_SIZES.remove(key);
            }
            case BatchWriteItemRequest batch -> {
                add(function, Measure.DYNAMODB_CALLS, 1);
                batch.requestItems()
                        .forEach((table, writes) -> writes.forEach(write -> {
                            long size = write.putRequest() != null
                                    ? ItemSizes.of(write.putRequest().item())
                                    : ITEM_SIZES.getOrDefault(
                                            itemKey(table, write.deleteRequest().key()), 0L);
                            add(function, Measure.DYNAMODB_WRITE_UNITS, ItemSizes.writeUnits(size));
                        }));
            }
            case TransactWriteItemsRequest transaction -> {
                add(function, Measure.DYNAMODB_CALLS, 1);
                // A transaction writes each item twice (prepare and commit); its items' sizes as last seen.
                transaction.transactItems().forEach(item -> {
                    String key = item.put() != null
                            ? itemKey(item.put().tableName(), item.put().item())
                            : item.update() != null
                                    ? itemKey(
                                            item.update().tableName(),
                                            item.update().key())
                                    : item.delete() != null
                                            ? itemKey(
                                                    item.delete().tableName(),
                                                    item.delete().key())
                                            : itemKey(
                                                    item.conditionCheck().tableName(),
                                                    item.conditionCheck().key());
                    long size = item.put() != null ? ItemSizes.of(item.put().item()) : ITEM_SIZES.getOrDefault(key, 0L);
                    add(function, Measure.DYNAMODB_WRITE_UNITS, 2 * ItemSizes.writeUnits(size));
                });
            }
            case software.amazon.awssdk.services.dynamodb.model.GetItemRequest get -> {
                add(function, Measure.DYNAMODB_CALLS, 1);
                var item = response instanceof software.amazon.awssdk.services.dynamodb.model.GetItemResponse r
                                && r.hasItem()
                        ? r.item()
                        : Map.<String, AttributeValue>of();
                long size = ItemSizes.of(item);
                if (!item.isEmpty()) {
                    ITEM_SIZES.put(itemKey(get.tableName(), get.key()), size);
                }
                add(
                        function,
                        Measure.DYNAMODB_READ_UNITS,
                        ItemSizes.readUnits(size, Boolean.TRUE.equals(get.consistentRead())));
            }
            case software.amazon.awssdk.services.dynamodb.model.QueryRequest query -> {
                add(function, Measure.DYNAMODB_CALLS, 1);
                long size = response instanceof software.amazon.awssdk.services.dynamodb.model.QueryResponse r
                        ? r.items().stream().mapToLong(ItemSizes::of).sum()
                        : 0;
                add(
                        function,
                        Measure.DYNAMODB_READ_UNITS,
                        ItemSizes.readUnits(size, Boolean.TRUE.equals(query.consistentRead())));
            }
            case BatchGetItemRequest batch -> {
                add(function, Measure.DYNAMODB_CALLS, 1);
                var responses =
                        response instanceof software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse r
                                ? r.responses()
                                : Map.<String, List<Map<String, AttributeValue>>>of();
                batch.requestItems().forEach((table, keys) -> {
                    boolean consistent = Boolean.TRUE.equals(keys.consistentRead());
                    var found = responses.getOrDefault(table, List.of());
                    found.forEach(item -> add(
                            function,
                            Measure.DYNAMODB_READ_UNITS,
                            ItemSizes.readUnits(ItemSizes.of(item), consistent)));
                    int unprocessed =
                            response instanceof software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse r
                                            && r.hasUnprocessedKeys()
                                            && r.unprocessedKeys().containsKey(table)
                                    ? r.unprocessedKeys().get(table).keys().size()
                                    : 0;
                    int missing = Math.max(0, keys.keys().size() - found.size() - unprocessed);
                    add(function, Measure.DYNAMODB_READ_UNITS, missing * ItemSizes.readUnits(0, consistent));
                });
            }
            case software.amazon.awssdk.services.sqs.model.SendMessageRequest send -> {
                long bytes = send.messageBody().getBytes(StandardCharsets.UTF_8).length
                        + attributeBytes(send.messageAttributes());
                sqs(function, bytes, bytes);
            }
            case software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest batch -> {
                long bytes = batch.entries().stream()
                        .mapToLong(e -> e.messageBody().getBytes(StandardCharsets.UTF_8).length
                                + attributeBytes(e.messageAttributes()))
                        .sum();
                sqs(function, bytes, bytes);
            }
            default -> {
                String name = request.getClass().getName();
                if (name.contains(".dynamodb.")) {
                    add(function, Measure.DYNAMODB_CALLS, 1);
                } else if (name.contains(".sqs.")) {
                    sqs(function, 0, 0);
                }
            }
        }
    }

    private static void sqs(String function, long payloadBytes, long sentBytes) {
        add(function, Measure.SQS_CALLS, 1);
        add(function, Measure.SQS_BILLED_REQUESTS, Math.max(1, (payloadBytes + 65535) / 65536));
        add(function, Measure.SQS_BYTES_SENT, sentBytes);
    }

    private static long attributeBytes(
            Map<String, software.amazon.awssdk.services.sqs.model.MessageAttributeValue> attributes) {
        return attributes.entrySet().stream()
                .mapToLong(e -> e.getKey().length()
                        + e.getValue().dataType().length()
                        + (e.getValue().stringValue() == null
                                ? 0
                                : e.getValue().stringValue().getBytes(StandardCharsets.UTF_8).length))
                .sum();
    }

    /** The item's size now, read with the sizing client outside any count; empty without one or without the item. */
    private static Optional<Long> sizeNow(String table, Map<String, AttributeValue> key) {
        var client = sizer;
        if (client == null) {
            return Optional.empty();
        }
        SIZING.set(true);
        try {
            var item = client.getItem(r -> r.tableName(table).key(key).consistentRead(true));
            return item.hasItem() ? Optional.of(ItemSizes.of(item.item())) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        } finally {
            SIZING.set(false);
        }
    }

    private static final Map<String, List<String>> KEY_NAMES = new ConcurrentHashMap<>();

    private static String itemKey(String table, Map<String, AttributeValue> itemOrKey) {
        StringBuilder key = new StringBuilder(table);
        for (String name : keyNames(table, itemOrKey)) {
            AttributeValue value = itemOrKey.get(name);
            if (value != null) {
                key.append('|').append(name).append('=').append(value.s() != null ? value.s() : value.n());
            }
        }
        return key.toString();
    }

    /** The table's key attributes (from the sizing client's DescribeTable), else every attribute given. */
    private static List<String> keyNames(String table, Map<String, AttributeValue> itemOrKey) {
        var client = sizer;
        if (client == null) {
            return itemOrKey.keySet().stream().sorted().toList();
        }
        return KEY_NAMES.computeIfAbsent(table, t -> {
            SIZING.set(true);
            try {
                return client.describeTable(r -> r.tableName(t)).table().keySchema().stream()
                        .map(software.amazon.awssdk.services.dynamodb.model.KeySchemaElement::attributeName)
                        .toList();
            } finally {
                SIZING.set(false);
            }
        });
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        String folder = System.getProperty(PROPERTY);
        boolean counting = Boolean.getBoolean(COUNT_PROPERTY);
        if ((folder == null || folder.isBlank()) && !counting) {
            return;
        }
        Optional<String> function = callingFunctionPackage();
        if (function.isEmpty()) {
            return;
        }
        if (counting && !SIZING.get()) {
            attributes.putAttribute(FUNCTION, function.get());
        }
        if (folder == null || folder.isBlank()) {
            return;
        }
        String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        for (Call call : calls(service, operation, context.request())) {
            String line = "{\"package\":\"" + function.get() + "\",\"action\":\"" + call.action() + "\",\"resource\":\""
                    + call.resource() + "\"}";
            if (SEEN.add(line)) {
                append(Path.of(folder), line);
            }
        }
    }

    /**
     * The handler being invoked or built on this thread or the thread that started it (threads a handler
     * starts, such as a replay's parallel writes or a secret read at init, inherit it), set by
     * {@link LambdaEvents#invoke} and {@link #constructing}.
     */
    private static final InheritableThreadLocal<String> INVOKED = new InheritableThreadLocal<>();

    static void invoking(Object handler) {
        INVOKED.set(handler == null ? null : handler.getClass().getPackageName());
    }

    /**
     * Builds a handler (Lambda's init) as the function of {@code handlerType}: the calls of threads its
     * construction starts (a secret read at init, see {@code Background}) are that function's.
     */
    public static <T> T constructing(Class<?> handlerType, java.util.concurrent.Callable<T> construct)
            throws Exception {
        INVOKED.set(handlerType.getPackageName());
        try {
            return construct.call();
        } finally {
            INVOKED.set(null);
        }
    }

    /**
     * The package of the first function handler class (main code, not tests) on the calling stack, else of
     * the handler whose invocation started this thread.
     */
    private static Optional<String> callingFunctionPackage() {
        return STACK.walk(frames -> frames.map(StackWalker.StackFrame::getDeclaringClass)
                        .filter(type -> type.getPackageName().startsWith(FUNCTIONS_PACKAGE) && !isTestCode(type))
                        .map(Class::getPackageName)
                        .findFirst())
                .or(() -> Optional.ofNullable(INVOKED.get()).filter(name -> name.startsWith(FUNCTIONS_PACKAGE)));
    }

    private static boolean isTestCode(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        return source != null
                && source.getLocation() != null
                && source.getLocation().getPath().contains("/test-classes/");
    }

    static List<Call> calls(String service, String operation, SdkRequest request) {
        List<Call> calls = new ArrayList<>();
        switch (service) {
            case "DynamoDb" -> {
                switch (request) {
                    case TransactWriteItemsRequest transaction ->
                        transaction.transactItems().forEach(item -> {
                            if (item.put() != null) {
                                calls.add(new Call(
                                        "dynamodb:PutItem", table(item.put().tableName(), null)));
                            } else if (item.update() != null) {
                                calls.add(new Call(
                                        "dynamodb:UpdateItem",
                                        table(item.update().tableName(), null)));
                            } else if (item.delete() != null) {
                                calls.add(new Call(
                                        "dynamodb:DeleteItem",
                                        table(item.delete().tableName(), null)));
                            } else if (item.conditionCheck() != null) {
                                calls.add(new Call(
                                        "dynamodb:ConditionCheckItem",
                                        table(item.conditionCheck().tableName(), null)));
                            }
                        });
                    case TransactGetItemsRequest transaction ->
                        transaction
                                .transactItems()
                                .forEach(item -> calls.add(new Call(
                                        "dynamodb:GetItem", table(item.get().tableName(), null))));
                    case BatchGetItemRequest batch ->
                        batch.requestItems()
                                .keySet()
                                .forEach(name -> calls.add(new Call("dynamodb:BatchGetItem", table(name, null))));
                    case BatchWriteItemRequest batch ->
                        batch.requestItems()
                                .keySet()
                                .forEach(name -> calls.add(new Call("dynamodb:BatchWriteItem", table(name, null))));
                    default ->
                        calls.add(new Call(
                                "dynamodb:" + operation,
                                table(
                                        request.getValueForField("TableName", String.class)
                                                .orElse("*"),
                                        request.getValueForField("IndexName", String.class)
                                                .orElse(null))));
                }
            }
            // AWS authorizes a batch call of SQS as its single-message action.
            case "Sqs" ->
                calls.add(new Call(
                        "sqs:" + operation.replaceFirst("Batch$", ""),
                        queue(request.getValueForField("QueueUrl", String.class).orElse("*"))));
            case "SecretsManager" ->
                calls.add(new Call(
                        "secretsmanager:" + operation,
                        secret(request.getValueForField("SecretId", String.class)
                                .orElse("*"))));
            default -> calls.add(new Call(service.toLowerCase(java.util.Locale.ROOT) + ":" + operation, "*"));
        }
        return calls;
    }

    private static String table(String name, String index) {
        String arn = name.startsWith("arn:") ? name : "arn:aws:dynamodb:" + REGION + ":" + ACCOUNT + ":table/" + name;
        return index == null ? arn : arn + "/index/" + index;
    }

    /** {@code http://host/123456789012/EventsQueue} is the queue ARN {@code arn:aws:sqs:...:EventsQueue}. */
    private static String queue(String url) {
        return "arn:aws:sqs:" + REGION + ":" + ACCOUNT + ":" + url.substring(url.lastIndexOf('/') + 1);
    }

    /** A secret's ARN (or name) without the random suffix AWS adds to its name ({@code CursorSecret-AbCdEf}). */
    private static String secret(String id) {
        String name = id.startsWith("arn:")
                ? id.substring(id.indexOf(":secret:") + ":secret:".length()).replaceFirst("-[A-Za-z0-9]{6}$", "")
                : id;
        return "arn:aws:secretsmanager:" + REGION + ":" + ACCOUNT + ":secret:" + name;
    }

    private static synchronized void append(Path folder, String line) {
        try {
            Files.createDirectories(folder);
            Files.writeString(
                    folder.resolve("calls-" + ProcessHandle.current().pid() + ".jsonl"),
                    line + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot record an AWS call in " + folder, e);
        }
    }
}
