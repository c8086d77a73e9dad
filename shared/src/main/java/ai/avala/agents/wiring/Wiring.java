package ai.avala.agents.wiring;

import static ai.avala.agents.config.Configuration.required;

import ai.avala.agents.aws.AwsClients;
import ai.avala.agents.aws.SecretValues;
import ai.avala.agents.callback.CallbackDelivery;
import ai.avala.agents.callback.CallbackHttpClient;
import ai.avala.agents.callback.CallbackSender;
import ai.avala.agents.callback.UrlGuard;
import ai.avala.agents.catalog.EventCatalog;
import ai.avala.agents.catalog.EventSchemas;
import ai.avala.agents.config.Configuration;
import ai.avala.agents.delivery.CallbackAttempt;
import ai.avala.agents.delivery.DeliveryStage;
import ai.avala.agents.delivery.ExecutionSweep;
import ai.avala.agents.dispatch.AgentMatcher;
import ai.avala.agents.dispatch.DeadLetterQueue;
import ai.avala.agents.dispatch.DeliveryQueue;
import ai.avala.agents.dispatch.EventDispatcher;
import ai.avala.agents.dispatch.EventQueue;
import ai.avala.agents.dispatch.RetryPolicy;
import ai.avala.agents.lambda.Background;
import ai.avala.agents.log.Log;
import ai.avala.agents.metrics.Metrics;
import ai.avala.agents.paging.CursorCodec;
import ai.avala.agents.service.AgentListings;
import ai.avala.agents.service.AgentService;
import ai.avala.agents.service.AgentTestCalls;
import ai.avala.agents.service.EventTypeListings;
import ai.avala.agents.service.RedeliveryService;
import ai.avala.agents.store.AgentStore;
import ai.avala.agents.store.ApiKeyStore;
import ai.avala.agents.store.ExecutionLog;
import ai.avala.agents.store.ExecutionStatsStore;
import ai.avala.agents.store.SubscriptionIndex;
import ai.avala.agents.store.SweepMarks;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The composition root: turns a function's {@link Configuration} into the clients, stores and services its
 * handler uses, built once per function instance, each only when the handler asks for it (so that a function
 * builds only what it uses). Handlers receive it: Lambda's no-argument constructor builds it from the process
 * environment, the local stack and the tests from the variables template.yaml gives the function (and the
 * stack's clock).
 */
public final class Wiring {

    private final Configuration config;
    private final Clock clock;
    private final Optional<CallbackSender> callbacks;
    private final Optional<CompletableFuture<SqsClient>> sqs;
    private DynamoDbClient dynamo;

    /**
     * Starts what a cold start can do in parallel: the HTTP client the AWS clients share and, in a function
     * that sends to the deliveries queue, its SQS client, each on its own thread while this one builds the
     * DynamoDB client.
     */
    public Wiring(Configuration config, Clock clock) {
        this(config, clock, Optional.empty());
    }

    private Wiring(Configuration config, Clock clock, Optional<CallbackSender> callbacks) {
        this.config = config;
        this.clock = clock;
        this.callbacks = callbacks;
        AwsClients.startHttpClient();
        this.sqs = config.deliveriesQueueUrl()
                .map(url ->
                        Background.start("sqs-client-init", () -> AwsClients.build(SqsClient.builder(), config.aws())));
        Log.configure(config.logLevel(), config.functionName().orElse(null));
        Metrics.configure(config.metricsNamespace());
    }

    /** Lambda's: the process environment, the system clock. */
    public static Wiring fromProcessEnvironment() {
        return new Wiring(Configuration.fromProcessEnvironment(), Clock.systemUTC());
    }

    /** The same function with its callbacks sent by {@code sender} (tests that interfere with them). */
    public Wiring withCallbacks(CallbackSender sender) {
        return new Wiring(config, clock, Optional.of(sender));
    }

    public Configuration config() {
        return config;
    }

    public Clock clock() {
        return clock;
    }

    public synchronized DynamoDbClient dynamo() {
        if (dynamo == null) {
            dynamo = AwsClients.dynamoDb(config.aws());
        }
        return dynamo;
    }

    public SubscriptionIndex subscriptions() {
        return new SubscriptionIndex(dynamo(), required(config.subscriptionsTable(), "SUBSCRIPTIONS_TABLE"));
    }

    public AgentStore agents() {
        return new AgentStore(dynamo(), required(config.agentsTable(), "AGENTS_TABLE"), subscriptions());
    }

    public ExecutionStatsStore stats() {
        return new ExecutionStatsStore(dynamo(), required(config.agentsTable(), "AGENTS_TABLE"));
    }

    public ExecutionLog executions() {
        return new ExecutionLog(
                dynamo(), required(config.executionsTable(), "EXECUTIONS_TABLE"), config.executionRetention());
    }

    public ApiKeyStore apiKeys() {
        return new ApiKeyStore(dynamo(), required(config.apiKeysTable(), "API_KEYS_TABLE"));
    }

    public UrlGuard urlGuard() {
        return new UrlGuard(config.allowLocalCallbacks());
    }

    /** What sends a function's callbacks: the URL guard and OkHttp with the callback deadline. */
    public CallbackSender callbacks() {
        return callbacks.orElseGet(() -> new CallbackDelivery(
                urlGuard(),
                new CallbackHttpClient(config.callbackTimeout(), CallbackDelivery.MAX_RESPONSE_BYTES),
                Clock.systemUTC()));
    }

    /** The deliveries queue (delivery tasks, retries) and its dead-letter queue. */
    public DeliveryQueue deliveries() {
        return new DeliveryQueue(
                sqs(),
                required(config.deliveriesQueueUrl(), "DELIVERIES_QUEUE_URL"),
                required(config.deliveriesDeadLetterQueueUrl(), "DELIVERIES_DEAD_LETTER_QUEUE_URL"));
    }

    private SqsClient sqs() {
        return Background.await(required(sqs, "DELIVERIES_QUEUE_URL"));
    }

    public AgentService agentService() {
        return new AgentService(agents(), executions(), urlGuard(), eventCatalog(), clock, config.maxAgentsPerTenant());
    }

    /** The event catalog as {@code GET /event-types/} lists it. */
    public EventTypeListings eventTypeListings() {
        return new EventTypeListings(eventCatalog());
    }

    /** The event types this service knows: the bundled catalog, and {@code EVENT_TYPES_DIR}'s on a local stack. */
    public EventCatalog eventCatalog() {
        return EventCatalog.bundled(config.eventTypesDir());
    }

    /** The listings, with page cursors signed by the cursor secret (read on its own thread from now on). */
    public AgentListings listings() {
        String arn = required(config.cursorSecretArn(), "CURSOR_SECRET_ARN");
        return new AgentListings(
                agents(),
                executions(),
                new CursorCodec(SecretValues.fromSecretsManager(config.aws(), arn)),
                new AgentListings.PullClaims(config.pullClaim(), config.pullMaxClaims()),
                clock);
    }

    public AgentTestCalls testCalls() {
        return new AgentTestCalls(agents(), executions(), callbacks(), eventCatalog(), clock);
    }

    public RedeliveryService redeliveries() {
        return new RedeliveryService(agents(), executions(), deliveries(), clock);
    }

    /** The matching stage: events to executions and delivery tasks; unreadable events to their dead letters. */
    public EventDispatcher eventDispatcher() {
        return new EventDispatcher(
                new EventQueue(sqs(), required(config.eventsQueueUrl(), "EVENTS_QUEUE_URL")),
                new AgentMatcher(subscriptions(), agents()),
                executions(),
                deliveries(),
                new DeadLetterQueue(
                        sqs(), required(config.eventsDeadLetterQueueUrl(), "DEAD_LETTER_QUEUE_URL"), "events"),
                sweepMarks(),
                new EventSchemas(eventCatalog()),
                clock,
                config.eventsMaxReceives());
    }

    public SweepMarks sweepMarks() {
        return new SweepMarks(dynamo(), required(config.executionsTable(), "EXECUTIONS_TABLE"));
    }

    /** The sweep: executions that lost their task, from the sparse index of those that could. */
    public ExecutionSweep executionSweep() {
        return new ExecutionSweep(sweepMarks(), executions(), deliveries(), clock);
    }

    /** The delivery stage: one callback per task, at most {@code TENANT_MAX_IN_FLIGHT} of a tenant at once. */
    public DeliveryStage deliveryStage() {
        DeliveryQueue deliveries = deliveries();
        CallbackAttempt attempts = new CallbackAttempt(
                agents(),
                executions(),
                callbacks(),
                new RetryPolicy(config.callbackMaxAttempts(), config.callbackRetrySchedule()),
                deliveries,
                clock,
                config.callbackTimeout(),
                config.autoDisableAfter());
        return new DeliveryStage(
                attempts,
                deliveries,
                clock,
                config.tenantMaxInFlight(),
                CallbackAttempt.callbackWithItsWrites(config.callbackTimeout()),
                config.deliveriesMaxReceives());
    }
}
