package ai.avala.agents.local.stack;

import ai.avala.agents.aws.AwsClients;
import ai.avala.agents.json.Json;
import ai.avala.agents.local.emulator.AwsCallRecorder;
import ai.avala.agents.local.emulator.AwsCallRecorder.Measure;
import ai.avala.agents.local.emulator.ItemSizes;
import ai.avala.agents.local.emulator.LocalResources;
import ai.avala.agents.local.emulator.SamTemplate;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The cost run of {@code local/bench}: labeling events of 1, 10 and 100 KB, each matching
 * {@code agents_per_event} agents (created through the API), delivered through the local stack on moto with every
 * function invocation metered ({@link InvocationMeter}: CPU time, log and EMF bytes) and every AWS call counted in the
 * units AWS bills ({@link AwsCallRecorder}); one delivery in 20 fails its first call (503) and is retried, as
 * receivers do. Then calls of each API operation, metered the same way. {@link CostModel} turns the figures into
 * USD per million deliveries and per million calls.
 */
final class CostRun {

    private static final String TENANT = "cost";
    private static final int EVENTS = 20;
    private static final int WARM_UP_EVENTS = 5;
    private static final int API_CALLS = 20;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final DevStack stack;
    private final String key;
    private final int agentsPerEvent;
    private final AtomicInteger succeeded = new AtomicInteger();
    private final Set<String> failedOnce = ConcurrentHashMap.newKeySet();
    private final AtomicInteger calls = new AtomicInteger();

    private CostRun(DevStack stack, String key, int agentsPerEvent) {
        this.stack = stack;
        this.key = key;
        this.agentsPerEvent = agentsPerEvent;
    }

    /** Measures, prices and adds the cost figures to {@code results}. */
    static void measure(Map<String, Object> results) throws Exception {
        CostModel model = CostModel.load(Path.of("local", "cost-model.json"), SamTemplate.load(SamTemplate.locate()));
        String key = "avk_cost_" + UUID.randomUUID();
        Options options = Options.of(0, null, Map.of(TENANT, key), true)
                .withEnvironment(Map.of("CALLBACK_RETRY_SCHEDULE_SECONDS", "1", "CALLBACK_MAX_ATTEMPTS", "3"))
                .withQueueConcurrency(1);
        try (DevStack stack = DevStack.start(options)) {
            AwsCallRecorder.sizeUpdatesWith(
                    AwsClients.dynamoDb(stack.resources().aws()));
            InvocationMeter.start();
            InvocationMeter.measureIdle(3000);
            CostRun run = new CostRun(stack, key, (int) model.assumption("agents_per_event"));
            Map<Integer, CostModel.Measured> bySize = new LinkedHashMap<>();
            // One receiver for the whole run: a receiver stopped and another started on the same port would leave the
            // callbacks' pooled connections to the first one dead, and fail their next calls.
            HttpServer receiver = run.receiver();
            try {
                // Lambda's containers run warm at volume: the JIT warmed before anything is measured.
                run.deliveries(1, receiver, 60);
                for (var kb : model.assumptions().get("event_kb")) {
                    bySize.put(kb.asInt(), run.deliveries(kb.asInt(), receiver, EVENTS));
                }
            } finally {
                receiver.stop(0);
            }
            Map<String, CostModel.FunctionUsage> api = run.apiOperations();
            CostReport.write(model, bySize, api, results);
        } finally {
            AwsCallRecorder.sizeUpdatesWith(null);
        }
    }

    /** {@code events} events of {@code kb} KB to fresh agents, after a warm-up; what the functions did per delivery. */
    private CostModel.Measured deliveries(int kb, HttpServer receiver, int events) throws Exception {
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        List<String> agents = new ArrayList<>();
        for (int i = 0; i < agentsPerEvent; i++) {
            agents.add(Json.parse(request(
                            "POST",
                            "/agents/",
                            Json.write(Map.of(
                                    "name",
                                    "cost " + kb + " " + i,
                                    "events",
                                    List.of("task.completed"),
                                    "callback_url",
                                    url))))
                    .get("uid")
                    .asText());
        }
        String sample = event(kb);
        succeeded.set(0);
        send(WARM_UP_EVENTS, kb);
        awaitSettled(WARM_UP_EVENTS * agentsPerEvent);
        var meterBefore = InvocationMeter.usage();
        var callsBefore = AwsCallRecorder.usage();
        List<String> payloads = send(events, kb);
        awaitSettled((WARM_UP_EVENTS + events) * agentsPerEvent);
        var meter = minus(InvocationMeter.usage(), meterBefore);
        var aws = minusCalls(AwsCallRecorder.usage(), callsBefore);
        double deliveries = events * agentsPerEvent;
        Map<String, CostModel.FunctionUsage> functions = new LinkedHashMap<>();
        for (String function : List.of(CostModel.DISPATCHER, CostModel.DELIVERY, CostModel.STATS)) {
            functions.put(function, usage(meter.get(function), aws.get(packageOf(function)), deliveries));
        }
        double tasksReceived = meter.get(CostModel.DELIVERY).records();
        double bytesSent = sum(aws, packageOf(CostModel.DISPATCHER), Measure.SQS_BYTES_SENT)
                + sum(aws, packageOf(CostModel.DELIVERY), Measure.SQS_BYTES_SENT);
        // What a delivery keeps stored: its execution, and its share of its event's payload.
        double itemBytes = executionItemBytes(agents) + payloadItemBytes(payloads) / agentsPerEvent;
        // The next size's events go to its own agents only.
        for (String agent : agents) {
            request("DELETE", "/agents/" + agent + "/", null);
        }
        awaitSettled(0);
        return new CostModel.Measured(
                kb, sample.length(), bytesSent / Math.max(1, tasksReceived), itemBytes, functions);
    }

    /** Calls of each API operation on one agent; what each function did per call, the authorizer's apart. */
    private Map<String, CostModel.FunctionUsage> apiOperations() throws Exception {
        Map<String, CostModel.FunctionUsage> perCall = new LinkedHashMap<>();
        String uid = Json.parse(request(
                        "POST",
                        "/agents/",
                        "{\"name\": \"cost api\", \"events\": [\"task.completed\"], \"callback_url\": "
                                + "\"https://example.com/hook\"}"))
                .get("uid")
                .asText();
        Map<String, Runnable> operations = new LinkedHashMap<>();
        operations.put("ListAgentsFunction", () -> request("GET", "/agents/?limit=20", null));
        operations.put("GetAgentFunction", () -> request("GET", "/agents/" + uid + "/", null));
        operations.put(
                "UpdateAgentFunction",
                () -> request("PATCH", "/agents/" + uid + "/", "{\"description\": \"d" + UUID.randomUUID() + "\"}"));
        operations.put(
                "ListExecutionsFunction", () -> request("GET", "/agents/" + uid + "/executions/?limit=20", null));
        operations.put("ListEventTypesFunction", () -> request("GET", "/event-types/", null));
        List<String> created = new ArrayList<>();
        operations.put(
                "CreateAgentFunction",
                () -> created.add(Json.parse(request(
                                "POST",
                                "/agents/",
                                "{\"name\": \"c" + UUID.randomUUID() + "\", \"events\": [\"task.completed\"]}"))
                        .get("uid")
                        .asText()));
        operations.put("DeleteAgentFunction", () -> request("DELETE", "/agents/" + created.remove(0) + "/", null));
        CostModel.FunctionUsage authorizer = null;
        for (var operation : operations.entrySet()) {
            operation.getValue().run(); // warm
            var meterBefore = InvocationMeter.usage();
            var callsBefore = AwsCallRecorder.usage();
            for (int i = 0; i < API_CALLS - 1; i++) {
                operation.getValue().run();
            }
            var meter = minus(InvocationMeter.usage(), meterBefore);
            var aws = minusCalls(AwsCallRecorder.usage(), callsBefore);
            String function = operation.getKey();
            perCall.put(function, usage(meter.get(function), aws.get(packageOf(function)), API_CALLS - 1));
            if (authorizer == null && meter.containsKey("AuthorizerFunction")) {
                authorizer =
                        usage(meter.get("AuthorizerFunction"), aws.get(packageOf("AuthorizerFunction")), API_CALLS - 1);
            }
        }
        perCall.put("AuthorizerFunction", authorizer);
        return perCall;
    }

    private static CostModel.FunctionUsage usage(
            InvocationMeter.Usage meter, Map<Measure, Double> aws, double deliveries) {
        if (meter == null || meter.records() == 0) {
            return new CostModel.FunctionUsage(0, 0, 0, 0, 0, 0, 0, 0, 0);
        }
        Map<Measure, Double> calls = aws == null ? Map.of() : aws;
        double records = meter.records();
        return new CostModel.FunctionUsage(
                records / deliveries,
                meter.cpuMillis() / records,
                calls.getOrDefault(Measure.DYNAMODB_CALLS, 0.0) / records,
                calls.getOrDefault(Measure.SQS_CALLS, 0.0) / records,
                calls.getOrDefault(Measure.DYNAMODB_WRITE_UNITS, 0.0) / deliveries,
                calls.getOrDefault(Measure.DYNAMODB_READ_UNITS, 0.0) / deliveries,
                calls.getOrDefault(Measure.SQS_BILLED_REQUESTS, 0.0) / deliveries,
                meter.logBytes() / records,
                meter.emfBytes() / records);
    }

    private static final List<String> LABELS =
            List.of("car", "person", "bicycle", "traffic light", "bus", "truck", "dog", "stop sign");

    /**
     * A task.completed event of about {@code kb} KB: the catalog's example, its data filled with annotations as a
     * labeling task's results carry them (ids, labels, boxes, scores), which compress as such data does.
     */
    private static String event(int kb) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", "evt_cost_" + UUID.randomUUID());
        event.put("type", "task.completed");
        event.put("tenant", TENANT);
        event.put("project", "proj_cost");
        event.put("task_type", "image-annotation");
        event.put("task", "task_" + UUID.randomUUID());
        event.put("occurred_at", Instant.now().toString());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("task_name", "Image 1");
        List<Map<String, Object>> annotations = new ArrayList<>();
        data.put("annotations", annotations);
        event.put("data", data);
        java.util.Random random = new java.util.Random(kb);
        while (true) {
            Map<String, Object> annotation = new LinkedHashMap<>();
            annotation.put("id", new UUID(random.nextLong(), random.nextLong()).toString());
            annotation.put("label", LABELS.get(random.nextInt(LABELS.size())));
            annotation.put(
                    "bbox",
                    List.of(random.nextInt(1920), random.nextInt(1080), random.nextInt(400), random.nextInt(400)));
            annotation.put("score", Math.round(random.nextDouble() * 1000) / 1000.0);
            annotations.add(annotation);
            if (Json.write(event).length() > kb * 1024) {
                annotations.remove(annotations.size() - 1);
                return Json.write(event);
            }
        }
    }

    /** Sends {@code events} events of {@code kb} KB; the keys their payloads are stored under. */
    private List<String> send(int events, int kb) {
        List<String> payloads = new ArrayList<>();
        try (var sqs = LocalResources.sqs(stack.resources().aws())) {
            for (int i = 0; i < events; i++) {
                String body = event(kb);
                var sent = Json.parse(body);
                payloads.add(ai.avala.agents.store.EventPayloads.keyOf(
                        TENANT,
                        Instant.parse(sent.get("occurred_at").asText()).toEpochMilli(),
                        sent.get("id").asText()));
                sqs.sendMessage(r -> r.queueUrl(stack.queueUrl()).messageBody(body));
            }
        }
        return payloads;
    }

    /** Until {@code deliveries} callbacks succeeded and no function has been invoked for 4 s (the stats included). */
    private void awaitSettled(int deliveries) throws InterruptedException {
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (succeeded.get() < deliveries && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (succeeded.get() < deliveries) {
            throw new IllegalStateException(
                    "The cost run's callbacks did not all arrive: " + succeeded.get() + " of " + deliveries);
        }
        long quietSince = System.nanoTime();
        long invocations = totalInvocations();
        while (System.nanoTime() - quietSince < 4_000_000_000L && System.nanoTime() < deadline) {
            Thread.sleep(200);
            long now = totalInvocations();
            if (now != invocations) {
                invocations = now;
                quietSince = System.nanoTime();
            }
        }
    }

    private static long totalInvocations() {
        return InvocationMeter.usage().values().stream()
                .mapToLong(InvocationMeter.Usage::invocations)
                .sum();
    }

    /** Answers 204 at once; the first call of one delivery in 20 answers 503 (it is retried). */
    private HttpServer receiver() throws java.io.IOException {
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        receiver.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            String id = exchange.getRequestHeaders().getFirst("webhook-id");
            boolean fail = calls.incrementAndGet() % 20 == 0 && id != null && failedOnce.add(id);
            if (!fail) {
                succeeded.incrementAndGet();
            }
            exchange.sendResponseHeaders(fail ? 503 : 204, -1);
            exchange.close();
        });
        receiver.start();
        return receiver;
    }

    /**
     * The mean size of the agents' executions as stored (what their storage is billed on); stops the run when one of
     * them did not succeed (a run whose deliveries failed would price failures, not deliveries).
     */
    private double executionItemBytes(List<String> agents) {
        var dynamo = AwsClients.dynamoDb(stack.resources().aws());
        long bytes = 0;
        long items = 0;
        for (String agent : agents) {
            for (Map<String, AttributeValue> item : dynamo.query(r -> r.tableName("ExecutionsTable")
                            .keyConditionExpression("agent = :agent")
                            .expressionAttributeValues(Map.of(":agent", AttributeValue.fromS(agent))))
                    .items()) {
                if (!"success".equals(item.get("status").s())) {
                    throw new IllegalStateException("An execution of the cost run did not succeed: "
                            + item.get("status").s() + ", " + item.get("error_message"));
                }
                bytes += ItemSizes.of(item);
                items++;
            }
        }
        return items == 0 ? 0 : (double) bytes / items;
    }

    /** The mean size of the events' stored payloads. */
    private double payloadItemBytes(List<String> keys) {
        var dynamo = AwsClients.dynamoDb(stack.resources().aws());
        return keys.stream()
                .mapToLong(key -> ItemSizes.of(dynamo.getItem(r -> r.tableName("ExecutionsTable")
                                .key(Map.of(
                                        "agent", AttributeValue.fromS(key), "uid", AttributeValue.fromS("payload"))))
                        .item()))
                .average()
                .orElse(0);
    }

    private String request(String method, String path, String body) {
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(stack.apiUrl() + path))
                            .header("X-Avala-Api-Key", key)
                            .header("Content-Type", "application/json")
                            .method(
                                    method,
                                    body == null
                                            ? HttpRequest.BodyPublishers.noBody()
                                            : HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(
                        method + " " + path + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The package of each function's handler (what AwsCallRecorder counts by), read once from the template. */
    private static final Map<String, String> PACKAGES = new LinkedHashMap<>();

    static {
        SamTemplate.load(SamTemplate.locate())
                .resources("AWS::Serverless::Function")
                .forEach((function, properties) -> {
                    String type = String.valueOf(properties.get("Handler")).split("::")[0];
                    PACKAGES.put(function, type.substring(0, type.lastIndexOf('.')));
                });
    }

    private static String packageOf(String function) {
        return PACKAGES.get(function);
    }

    private static Map<String, InvocationMeter.Usage> minus(
            Map<String, InvocationMeter.Usage> after, Map<String, InvocationMeter.Usage> before) {
        Map<String, InvocationMeter.Usage> delta = new LinkedHashMap<>();
        after.forEach((function, usage) ->
                delta.put(function, usage.minus(before.getOrDefault(function, InvocationMeter.Usage.NONE))));
        return delta;
    }

    private static Map<String, Map<Measure, Double>> minusCalls(
            Map<String, Map<Measure, Double>> after, Map<String, Map<Measure, Double>> before) {
        Map<String, Map<Measure, Double>> delta = new LinkedHashMap<>();
        after.forEach((function, measures) -> {
            Map<Measure, Double> values = new java.util.EnumMap<>(Measure.class);
            measures.forEach((measure, value) -> values.put(
                    measure, value - before.getOrDefault(function, Map.of()).getOrDefault(measure, 0.0)));
            delta.put(function, values);
        });
        return delta;
    }

    private static double sum(Map<String, Map<Measure, Double>> aws, String function, Measure measure) {
        return aws.getOrDefault(function, Map.of()).getOrDefault(measure, 0.0);
    }
}
