package ai.avala.agents.local.stack;

import static ai.avala.agents.local.emulator.SamTemplate.list;
import static ai.avala.agents.local.emulator.SamTemplate.map;

import ai.avala.agents.aws.AwsClients;
import ai.avala.agents.json.Json;
import ai.avala.agents.local.emulator.FaultProxy;
import ai.avala.agents.local.emulator.FunctionEnvironment;
import ai.avala.agents.local.emulator.LocalResources;
import ai.avala.agents.local.emulator.MotoServer;
import ai.avala.agents.local.emulator.SamTemplate;
import ai.avala.agents.store.ApiKeyStore;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The whole stack on this machine: an AWS emulator with the template's tables and queues, the API on
 * {@code http://127.0.0.1:<port>/api/v1} and the template's queue triggers, all read from template.yaml.
 */
public final class DevStack implements AutoCloseable {

    /** Concurrent invocations of a queue's function when the template sets no MaximumConcurrency. */
    static final int DEFAULT_QUEUE_CONCURRENCY = 50;

    private final MotoServer moto;
    private final LocalResources resources;
    private final HttpServer server;
    private final ExecutorService httpThreads;
    private final ExecutorService pollers;
    private final List<QueueTrigger> triggers;
    private final List<StreamTrigger> streamTriggers;
    private final List<ScheduleTrigger> schedules;
    private final SqsClient sqs;
    private final Map<String, String> apiKeys;
    private final String queueUrl;
    private final String dlqUrl;
    private final Optional<FaultProxy> faults;
    /**
     * The functions whose time tests move forward (days of failing callbacks, the end of a secret's overlap)
     * through {@link #clock()}: the delivery stage's and the sweep's. The API answers on the system's clock.
     */
    private static final Set<String> ON_STACK_CLOCK = Set.of("DeliveryFunction", "SweepFunction");

    private final StackClock clock;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private static final StackLog LOG = StackLog.of(DevStack.class);

    private DevStack(
            MotoServer moto,
            LocalResources resources,
            HttpServer server,
            ExecutorService httpThreads,
            ExecutorService pollers,
            List<QueueTrigger> triggers,
            List<StreamTrigger> streamTriggers,
            List<ScheduleTrigger> schedules,
            SqsClient sqs,
            Map<String, String> apiKeys,
            String queueUrl,
            String dlqUrl,
            StackClock clock,
            Optional<FaultProxy> faults) {
        this.clock = clock;
        this.faults = faults;
        this.moto = moto;
        this.resources = resources;
        this.server = server;
        this.httpThreads = httpThreads;
        this.pollers = pollers;
        this.triggers = triggers;
        this.streamTriggers = streamTriggers;
        this.schedules = schedules;
        this.sqs = sqs;
        this.apiKeys = apiKeys;
        this.queueUrl = queueUrl;
        this.dlqUrl = dlqUrl;
    }

    public static DevStack start(Options options) throws IOException {
        MotoServer moto = options.awsEndpoint() == null ? MotoServer.start() : null;
        String endpoint = moto != null ? moto.endpoint() : options.awsEndpoint();
        Optional<FaultProxy> faults = Optional.empty();
        try {
            SamTemplate template =
                    SamTemplate.load(options.template() != null ? options.template() : SamTemplate.locate());
            LocalResources resources = LocalResources.provision(template, endpoint);
            Map<String, String> overrides = new LinkedHashMap<>(options.functionEnvironment());
            // The functions reach AWS through the fault proxy when faults are asked for; the stack itself (its
            // pollers play Lambda's event source mappings, which are AWS's) reaches the emulator directly.
            faults = options.faults().map(settings -> FaultProxy.start(endpoint, settings));
            faults.ifPresent(proxy -> overrides.put("AWS_ENDPOINT_URL", proxy.endpoint()));
            if (options.allowLocalCallbacks()) {
                overrides.put("ALLOW_LOCAL_CALLBACKS", "true");
            }
            StackClock clock = new StackClock();
            LambdaFunctions functions = new LambdaFunctions(
                    resources, overrides, id -> ON_STACK_CLOCK.contains(id) ? clock : Clock.systemUTC());
            ApiGateway gateway = new ApiGateway(template, functions);
            Map<String, String> keys = registerKeys(resources, gateway, options.apiKeys());

            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", options.port()), 64);
            ExecutorService httpThreads = Executors.newFixedThreadPool(16);
            server.setExecutor(httpThreads);
            server.createContext("/", gateway);
            server.start();

            SqsClient sqs = LocalResources.sqs(resources.aws());
            List<QueueTrigger> triggers = new ArrayList<>();
            List<StreamTrigger> streamTriggers = new ArrayList<>();
            List<ScheduleTrigger> schedules = new ArrayList<>();
            var streams = software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient.builder();
            var streamsClient = AwsClients.build(streams, resources.aws());
            var functionsWithEvents = options.triggers()
                    ? template.resources("AWS::Serverless::Function")
                    : Map.<String, Map<String, Object>>of();
            for (var entry : functionsWithEvents.entrySet()) {
                for (Object event : LambdaFunctions.events(entry.getValue()).values()) {
                    Map<String, Object> props = QueueTrigger.sqsProperties(event);
                    if (props != null) {
                        String queueId = (String)
                                list(map(props.get("Queue")).get("Fn::GetAtt")).get(0);
                        var queue = resources.physical(queueId);
                        Object maximum = map(props.get("ScalingConfig")).get("MaximumConcurrency");
                        int concurrency = options.queueConcurrency() > 0
                                ? options.queueConcurrency()
                                : maximum == null
                                        ? DEFAULT_QUEUE_CONCURRENCY
                                        : Integer.parseInt(resources.resolve(maximum));
                        triggers.add(new QueueTrigger(
                                sqs,
                                functions.get(entry.getKey()),
                                queue.ref(),
                                queue.attributes().get("Arn"),
                                props,
                                concurrency));
                    }
                    Map<String, Object> stream = StreamTrigger.streamProperties(event);
                    if (stream != null) {
                        String streamArn = resources.resolve(stream.get("Stream"));
                        streamTriggers.add(
                                new StreamTrigger(streamsClient, functions.get(entry.getKey()), streamArn, stream));
                    }
                    Map<String, Object> schedule = ScheduleTrigger.scheduleProperties(event);
                    if (schedule != null) {
                        schedules.add(new ScheduleTrigger(
                                functions.get(entry.getKey()),
                                options.scheduleEvery() != null
                                        ? options.scheduleEvery()
                                        : ScheduleTrigger.rate((String) schedule.get("Schedule"))));
                    }
                }
            }
            ExecutorService pollers = Executors.newVirtualThreadPerTaskExecutor();
            triggers.forEach(QueueTrigger::start);
            streamTriggers.forEach(pollers::submit);
            schedules.forEach(pollers::submit);
            String[] queues = eventQueues(template, resources);
            DevStack stack = new DevStack(
                    moto,
                    resources,
                    server,
                    httpThreads,
                    pollers,
                    triggers,
                    streamTriggers,
                    schedules,
                    sqs,
                    keys,
                    queues[0],
                    queues[1],
                    clock,
                    faults);
            if (moto != null) {
                moto.stopsWithOwner();
            }
            Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "local-stack-shutdown"));
            return stack;
        } catch (IOException | RuntimeException e) {
            faults.ifPresent(FaultProxy::close);
            if (moto != null) {
                moto.close();
            }
            throw e;
        }
    }

    /** The queue producers send to ({@code EventsQueue}, else the first with a DLQ) and its DLQ. */
    private static String[] eventQueues(SamTemplate template, LocalResources resources) {
        var queues = template.resources("AWS::SQS::Queue");
        String queueId = queues.containsKey("EventsQueue")
                ? "EventsQueue"
                : queues.entrySet().stream()
                        .filter(e -> e.getValue().containsKey("RedrivePolicy"))
                        .map(Map.Entry::getKey)
                        .findFirst()
                        .orElse(null);
        if (queueId == null) {
            return new String[] {null, null};
        }
        Object dlqArn = map(map(queues.get(queueId).get("RedrivePolicy")).get("deadLetterTargetArn"))
                .get("Fn::GetAtt");
        String dlqUrl = dlqArn == null
                ? null
                : resources.physical((String) list(dlqArn).get(0)).ref();
        return new String[] {resources.physical(queueId).ref(), dlqUrl};
    }

    private static Map<String, String> registerKeys(
            LocalResources resources, ApiGateway gateway, Map<String, String> wanted) {
        Map<String, String> keys = new LinkedHashMap<>(wanted);
        if (keys.isEmpty()) {
            keys.put("local", ApiKeyStore.newKey());
        }
        String authorizerId = resources.template().resources("AWS::Serverless::Function").entrySet().stream()
                .filter(e ->
                        FunctionEnvironment.of(resources, e.getKey(), Map.of()).containsKey("API_KEYS_TABLE"))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElseThrow();
        var store = new ApiKeyStore(
                AwsClients.dynamoDb(resources.aws()),
                FunctionEnvironment.of(resources, authorizerId, Map.of()).get("API_KEYS_TABLE"));
        keys.forEach((tenant, key) -> store.register(key, tenant));
        return keys;
    }

    /** The clock of the delivery stage: tests move it forward. */
    public StackClock clock() {
        return clock;
    }

    public String apiUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1";
    }

    public String awsEndpoint() {
        return resources.aws().endpoint().orElseThrow().toString();
    }

    /** The functions whose queue or stream this stack polls (none on a stack started without triggers). */
    public List<String> triggeredFunctions() {
        return java.util.stream.Stream.concat(
                        triggers.stream().map(QueueTrigger::functionId),
                        streamTriggers.stream().map(StreamTrigger::functionId))
                .toList();
    }

    /** The functions this stack runs on a schedule (none on a stack started without triggers). */
    public List<String> scheduledFunctions() {
        return schedules.stream().map(ScheduleTrigger::functionId).toList();
    }

    /** The fault proxy between the functions and the emulator, when the stack was started with faults. */
    public Optional<FaultProxy> faults() {
        return faults;
    }

    public LocalResources resources() {
        return resources;
    }

    public Map<String, String> apiKeys() {
        return apiKeys;
    }

    public String queueUrl() {
        return queueUrl;
    }

    public String dlqUrl() {
        return dlqUrl;
    }

    /** Messages on the events queue, visible or in flight or delayed: zero once everything was handled. */
    public int queueDepth() {
        return queueDepth(queueUrl);
    }

    /** The URL of one of the template's queues, by logical id. */
    public String queueUrl(String logicalId) {
        return resources.physical(logicalId).ref();
    }

    /** Messages on a queue, visible or in flight or delayed. */
    public int queueDepth(String url) {
        var attributes = sqs.getQueueAttributes(r -> r.queueUrl(url)
                        .attributeNames(
                                software.amazon.awssdk.services.sqs.model.QueueAttributeName
                                        .APPROXIMATE_NUMBER_OF_MESSAGES,
                                software.amazon.awssdk.services.sqs.model.QueueAttributeName
                                        .APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                                software.amazon.awssdk.services.sqs.model.QueueAttributeName
                                        .APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))
                .attributes();
        return attributes.values().stream().mapToInt(Integer::parseInt).sum();
    }

    public Map<String, Object> readyInfo() {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("api_url", apiUrl());
        info.put("aws_endpoint", awsEndpoint());
        info.put("region", resources.aws().region());
        info.put("queue_url", queueUrl);
        info.put("dlq_url", dlqUrl);
        info.put("api_keys", apiKeys);
        return info;
    }

    /** Writes the ready file atomically, so a watcher never reads half of it. */
    public void writeReadyFile(Path file) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path temp = Files.createTempFile(absolute.getParent(), ".ready-", ".tmp");
        Files.writeString(temp, Json.write(readyInfo()));
        Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Stops the stack in order, within a few seconds: the triggers first (no new invocations), then the API, then
     * the invocations in flight (interrupted after 3 s), and the emulator last, once nothing talks to it.
     * Idempotent; also run by a shutdown hook (Ctrl-C).
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // The triggers stop first, so that no batch is reported after this line.
        triggers.forEach(QueueTrigger::stop);
        streamTriggers.forEach(StreamTrigger::stop);
        schedules.forEach(ScheduleTrigger::stop);
        LOG.info("Stopping the local stack");
        server.stop(0);
        httpThreads.shutdownNow();
        pollers.shutdownNow();
        try {
            pollers.awaitTermination(3, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sqs.close();
        faults.ifPresent(FaultProxy::close);
        if (moto != null) {
            moto.close();
        }
        LOG.info("Local stack stopped");
    }

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.print(Options.USAGE);
            return;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(Options.USAGE);
            System.exit(2);
            return;
        }
        DevStack stack = start(options);
        if (options.readyFile() != null) {
            stack.writeReadyFile(options.readyFile());
        }
        // The banner goes to standard error: standard output carries only JSON lines (the functions' and the stack's).
        System.err.println("Avala Agents local stack is ready.");
        System.err.println("  API:          " + stack.apiUrl());
        System.err.println(
                "  AWS endpoint: " + stack.awsEndpoint() + (stack.moto != null ? " (moto, started here)" : ""));
        stack.faults.ifPresent(proxy -> System.err.println("  Faults: the functions reach AWS through "
                + proxy.endpoint() + ", which fails a share of their requests as AWS does (--faults)"));
        if (stack.queueUrl() != null) {
            System.err.println("  Events queue: " + stack.queueUrl());
        }
        stack.apiKeys().forEach((tenant, key) -> System.err.println("  API key for tenant " + tenant + ": " + key));
        System.err.println("Try: curl -H 'X-Avala-Api-Key: "
                + stack.apiKeys().values().iterator().next() + "' " + stack.apiUrl() + "/agents/");
        System.err.println("Press Ctrl-C to stop.");
        Thread.currentThread().join();
    }
}
