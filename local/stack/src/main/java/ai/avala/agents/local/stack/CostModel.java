package ai.avala.agents.local.stack;

import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import ai.avala.agents.local.emulator.SamTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a million deliveries cost on AWS, from what the functions did in {@link CostRun} (their CPU time, their AWS
 * calls and the units those consumed, their log bytes) times the prices and assumptions of
 * {@code local/cost-model.json}, with each function's memory and each trigger's batching as {@code template.yaml}
 * sets them. A function's billed duration is modelled, not measured (moto's are not Lambda's): its CPU time divided
 * by the vCPU share its memory gives, plus an assumed round trip per AWS call (the calls of a batch's records run
 * concurrently), plus the receiver's answer time for a delivery batch.
 */
record CostModel(
        JsonValue prices,
        JsonValue assumptions,
        Map<String, FunctionSettings> functions,
        int retentionDays,
        boolean traced) {

    static final String DISPATCHER = "DispatcherFunction";
    static final String DELIVERY = "DeliveryFunction";
    static final String STATS = "StatsFunction";
    private static final double GB = 1024.0 * 1024 * 1024;
    private static final double MILLION = 1e6;

    /** How a function is triggered and sized: a queue's or a stream's batch and window; none for API functions. */
    record FunctionSettings(int memoryMb, String architecture, int batchSize, double windowSeconds, boolean stream) {}

    /** What one function did in the run, per delivery (per call for an API function) and per record it was given. */
    record FunctionUsage(
            double recordsPerDelivery,
            double cpuMsPerRecord,
            double dynamoCallsPerRecord,
            double sqsCallsPerRecord,
            double writeUnitsPerDelivery,
            double readUnitsPerDelivery,
            double sqsRequestsPerDelivery,
            double logBytesPerRecord,
            double emfBytesPerRecord) {}

    /**
     * One run's figures for events of one size: the sizes that decide units (what a delivery keeps stored: its
     * execution and its share of its event's payload), and each function's usage.
     */
    record Measured(
            int eventKb,
            double eventBytes,
            double taskBytes,
            double executionItemBytes,
            Map<String, FunctionUsage> functions) {}

    static CostModel load(Path file, SamTemplate template) throws IOException {
        JsonValue model = Json.parse(Files.readString(file));
        Map<String, Object> globals = template.functionGlobals();
        int globalMemory = number(globals.get("MemorySize"), 128);
        String globalArchitecture = architecture(globals.get("Architectures"), "x86_64");
        Map<String, FunctionSettings> functions = new LinkedHashMap<>();
        template.resources("AWS::Serverless::Function").forEach((id, properties) -> {
            int batch = 0;
            double window = 0;
            boolean stream = false;
            for (Object event : SamTemplate.map(properties.get("Events")).values()) {
                Map<String, Object> e = SamTemplate.map(event);
                if ("SQS".equals(e.get("Type")) || "DynamoDB".equals(e.get("Type"))) {
                    Map<String, Object> p = SamTemplate.map(e.get("Properties"));
                    stream = "DynamoDB".equals(e.get("Type"));
                    batch = number(p.get("BatchSize"), stream ? 100 : 10);
                    window = number(p.get("MaximumBatchingWindowInSeconds"), 0);
                }
            }
            functions.put(
                    id,
                    new FunctionSettings(
                            number(properties.get("MemorySize"), globalMemory),
                            architecture(properties.get("Architectures"), globalArchitecture),
                            batch,
                            window,
                            stream));
        });
        Object retention = SamTemplate.map(
                        SamTemplate.map(template.root().get("Parameters")).get("ExecutionRetentionDays"))
                .get("Default");
        return new CostModel(
                model.get("prices"),
                model.get("assumptions"),
                functions,
                number(retention, 30),
                "Active".equals(globals.get("Tracing")));
    }

    /** These settings with {@code function}'s batch size and window changed (a lever weighed against the template's). */
    CostModel withBatching(String function, int batchSize, double windowSeconds) {
        Map<String, FunctionSettings> changed = new LinkedHashMap<>(functions);
        FunctionSettings current = functions.get(function);
        changed.put(
                function,
                new FunctionSettings(
                        current.memoryMb(), current.architecture(), batchSize, windowSeconds, current.stream()));
        return new CostModel(prices, assumptions, changed, retentionDays, traced);
    }

    /** These settings with X-Ray tracing passed through instead of active (a lever weighed against the template's). */
    CostModel withoutTracing() {
        return new CostModel(prices, assumptions, functions, retentionDays, false);
    }

    /** USD per million deliveries, by component, for a receiver answering in {@code receiverMs}. */
    Map<String, Double> perMillionDeliveries(Measured measured, double receiverMs) {
        Map<String, Double> cost = new LinkedHashMap<>();
        double writeUnits = 0;
        double readUnits = 0;
        double sqsRequests = Math.ceil(measured.eventBytes() / 65536) / assumption("agents_per_event");
        double logBytes = 0;
        double lambdaRequests = 0;
        double traces = 0;
        for (var entry : measured.functions().entrySet()) {
            String function = entry.getKey();
            FunctionUsage usage = entry.getValue();
            FunctionSettings settings = functions.get(function);
            writeUnits += usage.writeUnitsPerDelivery();
            readUnits += usage.readUnitsPerDelivery();
            sqsRequests += usage.sqsRequestsPerDelivery();
            double fill = batchFill(settings, usage.recordsPerDelivery());
            double invocations = usage.recordsPerDelivery() / fill;
            lambdaRequests += invocations;
            traces += tracesPerSecond(assumption("deliveries_per_second") * invocations)
                    / assumption("deliveries_per_second");
            double billedMs = billedMillis(settings, usage, fill, function.equals(DELIVERY) ? receiverMs : 0);
            cost.merge(
                    "lambda_duration",
                    invocations * billedMs / 1000 * settings.memoryMb() / 1024.0 * gbSecondPrice(settings) * MILLION,
                    Double::sum);
            if (!settings.stream()) {
                double messageBytes = function.equals(DISPATCHER) ? measured.eventBytes() : measured.taskBytes();
                double receives = Math.max(Math.ceil(fill / 10), Math.ceil(fill * messageBytes / 65536));
                sqsRequests += invocations * (receives + Math.ceil(fill / 10));
            }
            logBytes += usage.recordsPerDelivery() * (usage.logBytesPerRecord() + usage.emfBytesPerRecord())
                    + invocations * assumption("platform_log_bytes_per_invocation");
        }
        cost.put("lambda_requests", lambdaRequests * price("lambda_requests_per_million"));
        cost.put("dynamodb_writes", writeUnits * price("dynamodb_write_units_per_million"));
        cost.put("dynamodb_reads", readUnits * price("dynamodb_read_units_per_million"));
        cost.put("xray", traces * price("xray_traces_recorded_per_million"));
        double months = retentionDays / 30.4;
        // An execution, and its share of its event's payload item (each item with DynamoDB's overhead).
        cost.put(
                "dynamodb_storage",
                (measured.executionItemBytes()
                                + assumption("storage_overhead_bytes_per_item")
                                        * (1 + 1 / assumption("agents_per_event")))
                        / GB
                        * months
                        * (price("dynamodb_storage_gb_month") + price("dynamodb_point_in_time_recovery_gb_month"))
                        * MILLION);
        cost.put("sqs", sqsRequests * price("sqs_requests_per_million"));
        cost.put("logs", logBytes / GB * price("cloudwatch_logs_ingested_gb") * MILLION);
        return cost;
    }

    /**
     * USD per million calls of an API function: API Gateway's request, the function's invocation and billed duration,
     * its units and log bytes, and the authorizer's share (its invocations the authorizer cache does not answer).
     */
    double perMillionCalls(String function, FunctionUsage usage, FunctionUsage authorizer) {
        double rate = assumption("api_calls_per_second");
        return price("api_gateway_rest_requests_per_million")
                + tracesPerSecond(rate) / rate * price("xray_traces_recorded_per_million")
                + invocationCost(function, usage)
                + (1 - assumption("authorizer_cache_hit_ratio")) * invocationCost("AuthorizerFunction", authorizer);
    }

    private double invocationCost(String function, FunctionUsage usage) {
        FunctionSettings settings = functions.get(function);
        double billedMs = billedMillis(settings, usage, 1, 0);
        return price("lambda_requests_per_million")
                + billedMs / 1000 * settings.memoryMb() / 1024.0 * gbSecondPrice(settings) * MILLION
                + usage.writeUnitsPerDelivery() * price("dynamodb_write_units_per_million")
                + usage.readUnitsPerDelivery() * price("dynamodb_read_units_per_million")
                + usage.sqsRequestsPerDelivery() * price("sqs_requests_per_million")
                + (usage.logBytesPerRecord()
                                + usage.emfBytesPerRecord()
                                + assumption("platform_log_bytes_per_invocation"))
                        / GB
                        * price("cloudwatch_logs_ingested_gb")
                        * MILLION;
    }

    /**
     * Traces a second of a function invoked {@code invocationsPerSecond} times a second: with active tracing, the first
     * invocation of each second and a fixed share of the rest.
     */
    private double tracesPerSecond(double invocationsPerSecond) {
        if (!traced) {
            return 0;
        }
        double reservoir = assumption("xray_reservoir_per_second");
        return Math.min(invocationsPerSecond, reservoir)
                + assumption("xray_fixed_rate") * Math.max(0, invocationsPerSecond - reservoir);
    }

    /** EventBridge API destinations for the same deliveries: one event put per event, one invocation per delivery. */
    double eventBridgePerMillionDeliveries(double eventBytes) {
        return price("eventbridge_api_destination_invocations_per_million")
                + Math.ceil(eventBytes / 65536)
                        * price("eventbridge_custom_events_put_per_million")
                        / assumption("agents_per_event");
    }

    /**
     * Records per invocation at the assumed rate: what a poller gathers in the batching window (or one receive's round
     * trip without one), at least one, at most the batch size.
     */
    double batchFill(FunctionSettings settings, double recordsPerDelivery) {
        if (settings.batchSize() == 0) {
            return 1;
        }
        double rate = assumption("deliveries_per_second") * recordsPerDelivery;
        double window = Math.max(settings.windowSeconds(), assumption("sqs_receive_round_trip_s"));
        double pollers = settings.stream() ? assumption("stream_shards") : assumption("sqs_event_source_pollers");
        return Math.max(1, Math.min(settings.batchSize(), rate * window / pollers));
    }

    /**
     * An invocation's billed milliseconds: its records' CPU time at the function's vCPU share, their AWS calls' round
     * trips (a queue batch's records concurrently, a stream batch's one after the other), and the receiver's answer.
     */
    private double billedMillis(FunctionSettings settings, FunctionUsage usage, double fill, double receiverMs) {
        double vcpu = Math.min(1, settings.memoryMb() / assumption("lambda_memory_mb_per_vcpu"));
        double calls = usage.dynamoCallsPerRecord() * assumption("dynamodb_call_ms")
                + usage.sqsCallsPerRecord() * assumption("sqs_call_ms");
        double parallel = settings.stream() || settings.batchSize() == 0 ? 1 : fill;
        return Math.ceil(fill * usage.cpuMsPerRecord() / vcpu + fill * calls / parallel + receiverMs);
    }

    private double gbSecondPrice(FunctionSettings settings) {
        return price("arm64".equals(settings.architecture()) ? "lambda_gb_second_arm64" : "lambda_gb_second_x86_64");
    }

    double price(String name) {
        return number(prices, name);
    }

    double assumption(String name) {
        return number(assumptions, name);
    }

    private static double number(JsonValue object, String name) {
        JsonValue value = object.get(name);
        if (value == null || !value.isNumber()) {
            throw new IllegalStateException("local/cost-model.json has no number " + name);
        }
        return Double.parseDouble(value.asText());
    }

    private static int number(Object value, int fallback) {
        return value instanceof Number n ? n.intValue() : fallback;
    }

    private static String architecture(Object value, String fallback) {
        return value instanceof java.util.List<?> list && !list.isEmpty() ? String.valueOf(list.get(0)) : fallback;
    }
}
