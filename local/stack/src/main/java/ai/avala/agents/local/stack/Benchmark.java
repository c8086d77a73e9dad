package ai.avala.agents.local.stack;

import ai.avala.agents.json.Json;
import ai.avala.agents.local.emulator.AgentSeeder;
import ai.avala.agents.local.emulator.AwsCallRecorder;
import ai.avala.agents.local.emulator.FaultProxy;
import ai.avala.agents.local.emulator.LocalResources;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code local/bench}: figures, not assertions. Cold starts of every function in fresh JVMs (on a stack with
 * no triggers), API latency through the local stack, and the dispatcher's fan-out, all against moto on this
 * machine.
 * moto bounds the last two: besides its 200-300 writes per second, each TransactWriteItems deep-copies
 * the tables it touches, so its transactions slow down as the tables grow (DynamoDB's do not).
 */
public final class Benchmark {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Benchmark() {}

    public static void main(String[] args) throws Exception {
        System.setProperty(AwsCallRecorder.COUNT_PROPERTY, "true");
        Map<String, Object> results = new LinkedHashMap<>();
        Options options = Options.of(0, null, Map.of("bench", "avk_bench_" + UUID.randomUUID()), true)
                .withEnvironment(Map.of(
                        "MAX_AGENTS_PER_TENANT",
                        "100000",
                        "CALLBACK_TIMEOUT_SECONDS",
                        "10",
                        // The bench's own event types (bench.noise, bench.fanout300, ...), beside the catalog's.
                        "EVENT_TYPES_DIR",
                        Path.of("local", "bench-event-types").toAbsolutePath().toString()));
        String mode = args.length > 1 ? args[1] : "";
        if (mode.equals("--cost-only")) {
            CostRun.measure(results);
            write(results);
            return;
        }
        intakeValidation(results);
        if (!mode.equals("--dispatch-only") && !mode.equals("--delivery-runs-only")) {
            // On a stack of their own with no triggers: otherwise the stack's pollers, and the deliveries and
            // statistics that the measured requests leave behind, run beside every cold start.
            try (DevStack quiet = DevStack.start(options.withoutTriggers())) {
                ColdStarts.measure(quiet, args.length > 0 ? Integer.parseInt(args[0]) : 7, results);
            }
        }
        if (mode.equals("--cold-starts-only")) {
            write(results);
            return;
        }
        if (!mode.equals("--dispatch-only")) {
            deliveryRuns(results);
        }
        if (mode.equals("--delivery-runs-only")) {
            write(results);
            return;
        }
        if (!mode.equals("--dispatch-only")) {
            CostRun.measure(results);
        }
        try (DevStack stack = DevStack.start(options)) {
            String key = stack.apiKeys().get("bench");
            String uid = apiLatency(stack, key);
            request(stack, key, "DELETE", "/agents/" + uid + "/", null);
            // The quiet tenant first: moto's SQS slows with every message it holds, and the fan-outs leave many.
            quietTenant(stack, results);
            fanOut(stack, key, 300, Duration.ofSeconds(2), "", results);
            fanOut(stack, key, 1000, Duration.ofSeconds(1), "_1000", results);
        }
        write(results);
    }

    /**
     * The chaos run (40 events to 8 agents with 15% of the functions' AWS calls failing, seeded) and the no-loss
     * load run (200 events, 20 sent twice, poison, receivers failing each message's first call), each on a stack
     * of its own: what arrived, what arrived twice, how late, and what the API answered.
     */
    private static void deliveryRuns(Map<String, Object> results) throws Exception {
        try (DevStack stack =
                DevStack.start(DeliveryRun.options(java.util.Optional.of(FaultProxy.Settings.parse("0.15,42"))))) {
            DeliveryRun.Figures chaos =
                    DeliveryRun.run(stack, new DeliveryRun.Plan(40, 8, 0, 4, 2, 40, Duration.ofSeconds(300)));
            results.put("chaos_delivered_ratio", round(chaos.deliveredRatio()));
            results.put("chaos_duplicate_callbacks", chaos.duplicateCallbacks());
            results.put("chaos_p99_delivery_s", round(chaos.deliveryPercentile(99)));
            results.put("chaos_api_5xx", chaos.api5xx());
            results.put("chaos_reads_5xx_of_40", chaos.reads5xx());
            results.put("chaos_unfinished_executions", chaos.unfinishedExecutions());
            System.out.println("Chaos run (15% faults): " + chaos.summary());
        }
        try (DevStack stack = DevStack.start(DeliveryRun.options(java.util.Optional.empty()))) {
            DeliveryRun.Figures load =
                    DeliveryRun.run(stack, new DeliveryRun.Plan(200, 4, 1, 20, 6, 0, Duration.ofSeconds(600)));
            results.put("load_delivered_ratio", round(load.deliveredRatio()));
            results.put("load_duplicate_callbacks", load.duplicateCallbacks());
            results.put("load_p99_delivery_s", round(load.deliveryPercentile(99)));
            results.put("load_deliveries_per_s", round(load.delivered() / load.wallSeconds()));
            System.out.println("Load run (200 events, 20 sent twice, poison, a flaky receiver): " + load.summary());
        }
    }

    /**
     * What checking an event against its type's schema costs at intake, warm: the parse of the catalog's examples
     * with the check less the same parse without it, per event, over many rounds.
     */
    private static void intakeValidation(Map<String, Object> results) throws Exception {
        var catalog = ai.avala.agents.catalog.EventCatalog.bundled(java.util.Optional.empty());
        var schemas = new ai.avala.agents.catalog.EventSchemas(catalog);
        List<String> events = catalog.types().stream()
                .map(type -> Json.write(type.example().toJava()))
                .toList();
        int rounds = 2000;
        long without = 0;
        long with = 0;
        for (int pass = 0; pass < 2; pass++) {
            // The first pass warms both paths up; the second is measured.
            long start = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                for (String event : events) {
                    ai.avala.agents.dispatch.EventIntake.parse(event);
                }
            }
            without = System.nanoTime() - start;
            start = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                for (String event : events) {
                    ai.avala.agents.dispatch.EventIntake.parse(event, schemas);
                }
            }
            with = System.nanoTime() - start;
        }
        double perEvent = (with - without) / 1000.0 / ((double) rounds * events.size());
        results.put("intake_validation_us_per_event", round(Math.max(0, perEvent)));
        System.out.println("Intake validation: " + round(perEvent) + " µs per event");
    }

    /** Adds the figures to target/bench/results.json (figures of earlier runs that this one did not measure stay). */
    private static void write(Map<String, Object> results) throws IOException {
        Path file = Path.of("target", "bench", "results.json");
        Files.createDirectories(file.getParent());
        Map<String, Object> all = Files.exists(file)
                ? new LinkedHashMap<>(Json.parse(Files.readString(file)).toMap())
                : new LinkedHashMap<>();
        all.putAll(results);
        Files.writeString(file, Json.write(all));
        System.out.println("Figures written to " + file.toAbsolutePath() + ": " + Json.write(results));
        System.out.println("The table local/bench-report writes into docs/performance.md, from " + file + ":");
        System.out.print(table(all));
    }

    private static String apiLatency(DevStack stack, String key) throws Exception {
        String uid = Json.parse(request(stack, key, "POST", "/agents/", "{\"name\": \"bench\"}")
                        .body())
                .get("uid")
                .asText();
        for (int i = 0; i < 50; i++) {
            request(stack, key, "GET", "/agents/" + uid + "/", null);
        }
        List<Long> gets = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            long start = System.nanoTime();
            request(stack, key, "GET", "/agents/" + uid + "/", null);
            gets.add((System.nanoTime() - start) / 1000);
        }
        List<Long> creates = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            long start = System.nanoTime();
            String created = request(
                            stack,
                            key,
                            "POST",
                            "/agents/",
                            "{\"name\": \"c" + i + "\", \"events\": [\"task.completed\"]}")
                    .body();
            creates.add((System.nanoTime() - start) / 1000);
            request(
                    stack,
                    key,
                    "DELETE",
                    "/agents/" + Json.parse(created).get("uid").asText() + "/",
                    null);
        }
        System.out.printf(
                "API through the local stack on moto (warm): GET agent p50 %.1f ms p95 %.1f ms; "
                        + "POST agent p50 %.1f ms p95 %.1f ms%n",
                pct(gets, 50), pct(gets, 95), pct(creates, 50), pct(creates, 95));
        return uid;
    }

    /**
     * One event to {@code agents} agents whose receivers answer after {@code latency}: the wall time from the
     * event's send to the last callback, over one callback's latency (1 would be all at once), deliveries per
     * second, and DynamoDB write units per delivery counted from the SDK calls the functions made.
     */
    private static void fanOut(
            DevStack stack, String key, int agents, Duration latency, String suffix, Map<String, Object> results)
            throws Exception {
        AtomicInteger calls = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        receiver.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            try {
                Thread.sleep(latency.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            calls.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        String type = "bench.fanout" + agents;
        try (var sqs = LocalResources.sqs(stack.resources().aws())) {
            String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
            try (var dynamo =
                    ai.avala.agents.aws.AwsClients.dynamoDb(stack.resources().aws())) {
                AgentSeeder.seed(dynamo, "AgentsTable", "SubscriptionsTable", "bench", agents, type, i -> url);
            }
            Map<String, Long> before = AwsCallRecorder.writeUnits();
            long start = System.nanoTime();
            String body = Json.write(Map.of("id", "evt_" + UUID.randomUUID(), "type", type, "tenant", "bench"));
            sqs.sendMessage(r -> r.queueUrl(stack.queueUrl()).messageBody(body));
            long deadline = System.nanoTime() + 300_000_000_000L;
            while (calls.get() < agents && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            double wall = (System.nanoTime() - start) / 1e9;
            // Let the last outcomes be written and counted (the stats function runs from the stream).
            Thread.sleep(8000);
            Map<String, Long> after = AwsCallRecorder.writeUnits();
            long deliveryWrites = delta(before, after, "dispatcher") + delta(before, after, "delivery");
            long statsWrites = delta(before, after, "stats");
            results.put("fanout_wall_over_callback" + suffix, round(wall / (latency.toMillis() / 1000.0)));
            results.put("fanout_wall_s" + suffix, round(wall));
            results.put("deliveries_per_s" + suffix, round(calls.get() / wall));
            if (suffix.isEmpty()) {
                results.put("write_units_per_delivery", round((double) deliveryWrites / agents));
                results.put("stats_write_units_per_delivery", round((double) statsWrites / agents));
            }
            System.out.printf(
                    "Fan-out: 1 event x %d agents answering in %d ms: %d callbacks in %.1f s "
                            + "(%.2f x one callback), %.0f deliveries/s; write units per delivery: %.2f (+%.2f for the stats)%n",
                    agents,
                    latency.toMillis(),
                    calls.get(),
                    wall,
                    wall / (latency.toMillis() / 1000.0),
                    calls.get() / wall,
                    (double) deliveryWrites / agents,
                    (double) statsWrites / agents);
        } finally {
            receiver.stop(0);
        }
    }

    /**
     * A noisy tenant (40 agents whose receivers hang, nine events) and a quiet one (one event) in one batch:
     * the seconds from the send to the quiet tenant's callback.
     */
    private static void quietTenant(DevStack stack, Map<String, Object> results) throws Exception {
        AtomicLong quietAt = new AtomicLong();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        receiver.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestURI().getPath().equals("/quiet")) {
                quietAt.compareAndSet(0, System.nanoTime());
            } else {
                try {
                    Thread.sleep(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try (var sqs = LocalResources.sqs(stack.resources().aws())) {
            String base = "http://127.0.0.1:" + receiver.getAddress().getPort();
            String noisy = "avk_bench_noisy_" + UUID.randomUUID();
            String quiet = "avk_bench_quiet_" + UUID.randomUUID();
            var keys = stack.resources();
            new ai.avala.agents.store.ApiKeyStore(ai.avala.agents.aws.AwsClients.dynamoDb(keys.aws()), "ApiKeysTable")
                    .register(noisy, "bench_noisy");
            new ai.avala.agents.store.ApiKeyStore(ai.avala.agents.aws.AwsClients.dynamoDb(keys.aws()), "ApiKeysTable")
                    .register(quiet, "bench_quiet");
            List<String> noisyAgents = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                noisyAgents.add(Json.parse(request(
                                        stack,
                                        noisy,
                                        "POST",
                                        "/agents/",
                                        "{\"name\": \"n" + i + "\", \"events\": [\"bench.noise\"], \"callback_url\": \""
                                                + base + "/hang\"}")
                                .body())
                        .get("uid")
                        .asText());
            }
            request(
                    stack,
                    quiet,
                    "POST",
                    "/agents/",
                    "{\"name\": \"q\", \"events\": [\"bench.noise\"], " + "\"callback_url\": \"" + base + "/quiet\"}");
            List<software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry> batch = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String tenant = i == 9 ? "bench_quiet" : "bench_noisy";
                batch.add(software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry.builder()
                        .id("e" + i)
                        .messageBody(Json.write(
                                Map.of("id", "evt_" + UUID.randomUUID(), "type", "bench.noise", "tenant", tenant)))
                        .build());
            }
            long start = System.nanoTime();
            sqs.sendMessageBatch(r -> r.queueUrl(stack.queueUrl()).entries(batch));
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (quietAt.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            double delay = (quietAt.get() - start) / 1e9;
            results.put("quiet_tenant_delay_s", round(delay));
            System.out.printf(
                    "Fairness: the quiet tenant's callback %.2f s after a batch with nine events of a noisy "
                            + "tenant (40 agents whose receivers hang 10 s)%n",
                    delay);
            // The noisy tenant's retries would stay on the deliveries queue for hours, and every message moto holds
            // slows each of its receives (it recomputes the queue's counts per message received): clear them.
            for (String uid : noisyAgents) {
                request(stack, noisy, "DELETE", "/agents/" + uid + "/", null);
            }
            String deliveries = stack.queueUrl("DeliveriesQueue");
            sqs.purgeQueue(r -> r.queueUrl(deliveries));
            Thread.sleep(12_000);
            sqs.purgeQueue(r -> r.queueUrl(deliveries));
        } finally {
            receiver.stop(0);
        }
    }

    /** The benchmark table (docs/performance.md has the one local/bench-report generates): one row per function's cold start, then the dispatch figures. */
    static String table(Map<String, Object> figures) {
        StringBuilder table =
                new StringBuilder("| function | first answer / naive | first answer | classes loaded | artifact |\n"
                        + "|---|---|---|---|---|\n");
        table.append(String.format(
                "| naive handler (baseline) | 1.00 | %s ms | %s | |%n",
                figures.get("cold_start_naive_ms"), figures.get("classes_loaded_naive")));
        figures.keySet().stream()
                .filter(key -> key.startsWith("cold_start_ratio_"))
                .forEach(key -> {
                    String function = key.substring("cold_start_ratio_".length());
                    table.append(String.format(
                            "| %s | %.2f | %s ms | %s | %s MB |%n",
                            function,
                            ((Number) figures.get(key)).doubleValue(),
                            figures.get("cold_start_ms_" + function),
                            figures.get("classes_loaded_" + function),
                            figures.get("artifact_mb_" + function)));
                });
        table.append("\n| dispatch (local stack on moto) | figure |\n|---|---|\n");
        for (String key : List.of(
                "fanout_wall_over_callback",
                "fanout_wall_s",
                "deliveries_per_s",
                "fanout_wall_over_callback_1000",
                "fanout_wall_s_1000",
                "deliveries_per_s_1000",
                "quiet_tenant_delay_s",
                "write_units_per_delivery",
                "stats_write_units_per_delivery",
                "chaos_delivered_ratio",
                "chaos_duplicate_callbacks",
                "chaos_p99_delivery_s",
                "chaos_api_5xx",
                "chaos_reads_5xx_of_40",
                "chaos_unfinished_executions",
                "load_delivered_ratio",
                "load_duplicate_callbacks",
                "load_p99_delivery_s",
                "load_deliveries_per_s")) {
            if (figures.containsKey(key)) {
                table.append("| `")
                        .append(key)
                        .append("` | ")
                        .append(figures.get(key))
                        .append(" |\n");
            }
        }
        return table.toString();
    }

    private static long delta(Map<String, Long> before, Map<String, Long> after, String function) {
        String key = "ai.avala.agents.functions." + function;
        return after.getOrDefault(key, 0L) - before.getOrDefault(key, 0L);
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    private static HttpResponse<String> request(DevStack stack, String key, String method, String path, String body)
            throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(stack.apiUrl() + path))
                        .header("X-Avala-Api-Key", key)
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static double pct(List<Long> micros, int percentile) {
        List<Long> sorted = new ArrayList<>(micros);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, sorted.size() * percentile / 100)) / 1000.0;
    }
}
