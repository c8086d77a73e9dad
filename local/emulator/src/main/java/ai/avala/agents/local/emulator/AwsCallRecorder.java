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

    /** Counting mode (local/bench): DynamoDB write units per function package, by AWS's rules for small items. */
    public static final String COUNT_PROPERTY = "avala.count.writes";

    private static final Map<String, java.util.concurrent.atomic.LongAdder> WRITE_UNITS = new ConcurrentHashMap<>();

    /** Write units counted so far per function package (only with {@value #COUNT_PROPERTY} set). */
    public static Map<String, Long> writeUnits() {
        Map<String, Long> snapshot = new java.util.TreeMap<>();
        WRITE_UNITS.forEach((function, units) -> snapshot.put(function, units.sum()));
        return snapshot;
    }

    /**
     * What one request costs in write units on items under 1 KB: a PutItem, UpdateItem or DeleteItem 1, each
     * item of a BatchWriteItem 1, each item of a TransactWriteItems 2 (a transaction writes twice).
     */
    static int writeUnits(SdkRequest request) {
        return switch (request) {
            case software.amazon.awssdk.services.dynamodb.model.PutItemRequest put -> 1;
            case software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest update -> 1;
            case software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest delete -> 1;
            case BatchWriteItemRequest batch ->
                batch.requestItems().values().stream().mapToInt(List::size).sum();
            case TransactWriteItemsRequest transaction ->
                2 * transaction.transactItems().size();
            default -> 0;
        };
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
        if (counting) {
            int units = writeUnits(context.request());
            if (units > 0) {
                WRITE_UNITS
                        .computeIfAbsent(function.get(), f -> new java.util.concurrent.atomic.LongAdder())
                        .add(units);
            }
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
