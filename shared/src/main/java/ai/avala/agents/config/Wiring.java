package ai.avala.agents.config;

import ai.avala.agents.dispatch.DeliveryQueue;
import ai.avala.agents.dispatch.RetryPolicy;
import ai.avala.agents.store.AgentStore;
import ai.avala.agents.store.ApiKeyStore;
import ai.avala.agents.store.ExecutionLog;
import ai.avala.agents.store.ExecutionStatsStore;
import ai.avala.agents.store.SubscriptionIndex;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The one place that turns a function's environment (the variables template.yaml gives it) into its
 * clients and stores, built once per container on first use, so that a function builds only what it
 * uses. Every default lives here. A missing variable fails at the first use that needs it, naming it.
 */
public final class Wiring {

    public static final int DEFAULT_CALLBACK_TIMEOUT_SECONDS = 10;
    public static final int DEFAULT_RETENTION_DAYS = 30;
    public static final int DEFAULT_MAX_AGENTS_PER_TENANT = 1000;
    public static final int DEFAULT_AUTO_DISABLE_AFTER_HOURS = 120;
    private final Environment env;
    private final CompletableFuture<SqsClient> sqs;
    private DynamoDbClient dynamo;

    /**
     * Starts what a cold start can do in parallel: the HTTP client the AWS clients share and, in a function
     * that sends to the deliveries queue ({@code DELIVERIES_QUEUE_URL}), its SQS client, each on its own
     * thread while this one builds the DynamoDB client.
     */
    public Wiring(Environment env) {
        this.env = env;
        AwsClients.startHttpClient();
        this.sqs = env.has("DELIVERIES_QUEUE_URL")
                ? Background.start("sqs-client-init", () -> AwsClients.build(SqsClient.builder(), env)) : null;
        Log.configure(env);
        Metrics.configure(env);
    }

    public Environment env() {
        return env;
    }

    public Clock clock() {
        return Clock.systemUTC();
    }

    public synchronized DynamoDbClient dynamo() {
        if (dynamo == null) {
            dynamo = AwsClients.dynamoDb(env);
        }
        return dynamo;
    }

    /** Only the functions that send to the deliveries queue carry the SQS client (an optional dependency of {@code shared}). */
    public SqsClient sqs() {
        if (sqs == null) {
            throw new IllegalStateException("Missing required environment variable DELIVERIES_QUEUE_URL");
        }
        return Background.await(sqs);
    }

    public SubscriptionIndex subscriptions() {
        return new SubscriptionIndex(dynamo(), env.require("SUBSCRIPTIONS_TABLE"));
    }

    public AgentStore agents() {
        return new AgentStore(dynamo(), env.require("AGENTS_TABLE"), subscriptions());
    }

    public ExecutionStatsStore stats() {
        return new ExecutionStatsStore(dynamo(), env.require("AGENTS_TABLE"));
    }

    public ExecutionLog executions() {
        return new ExecutionLog(dynamo(), env.require("EXECUTIONS_TABLE"),
                Duration.ofDays(env.integer("EXECUTION_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)));
    }

    public ApiKeyStore apiKeys() {
        return new ApiKeyStore(dynamo(), env.require("API_KEYS_TABLE"));
    }

    public Duration callbackTimeout() {
        return Duration.ofSeconds(env.integer("CALLBACK_TIMEOUT_SECONDS", DEFAULT_CALLBACK_TIMEOUT_SECONDS));
    }

    /** How long an agent's callbacks may all fail before it is switched off ({@code AUTO_DISABLE_AFTER_HOURS}). */
    public Duration autoDisableAfter() {
        return Duration.ofHours(env.integer("AUTO_DISABLE_AFTER_HOURS", DEFAULT_AUTO_DISABLE_AFTER_HOURS));
    }

    public int maxAgentsPerTenant() {
        return env.integer("MAX_AGENTS_PER_TENANT", DEFAULT_MAX_AGENTS_PER_TENANT);
    }

    public boolean allowLocalCallbacks() {
        return env.flag("ALLOW_LOCAL_CALLBACKS");
    }

    public RetryPolicy retries() {
        return RetryPolicy.parse(env.integer("CALLBACK_MAX_ATTEMPTS", RetryPolicy.DEFAULT_MAX_ATTEMPTS),
                env.optional("CALLBACK_RETRY_SCHEDULE_SECONDS", RetryPolicy.DEFAULT_SCHEDULE));
    }

    /** The deliveries queue (delivery tasks, retries) and its dead-letter queue. */
    public DeliveryQueue deliveries() {
        return new DeliveryQueue(sqs(), env.require("DELIVERIES_QUEUE_URL"), env.require("DELIVERIES_DEAD_LETTER_QUEUE_URL"));
    }
}
