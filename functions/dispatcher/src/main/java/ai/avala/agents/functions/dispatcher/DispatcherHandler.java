package ai.avala.agents.functions.dispatcher;

import ai.avala.agents.callback.CallbackDelivery;
import ai.avala.agents.callback.Callbacks;
import ai.avala.agents.config.AwsClients;
import ai.avala.agents.config.Environment;
import ai.avala.agents.config.Logs;
import ai.avala.agents.dispatch.AgentMatcher;
import ai.avala.agents.dispatch.RetryPolicy;
import ai.avala.agents.store.AgentStore;
import ai.avala.agents.store.ExecutionLog;
import ai.avala.agents.store.SubscriptionIndex;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The events queue's consumer. The messages of a batch are processed concurrently; the answer names
 * only the messages that failed transiently ({@code ReportBatchItemFailures}), so only those come back.
 */
public final class DispatcherHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private static final Logger LOG = Logger.getLogger(DispatcherHandler.class.getName());
    private final EventDispatcher dispatcher;

    public DispatcherHandler() {
        this(Environment.system());
    }

    public DispatcherHandler(Environment env) {
        this(env, CallbackDelivery.fromEnvironment(env));
    }

    private static Duration callbackTimeout(Environment env) {
        return Duration.ofSeconds(env.integer("CALLBACK_TIMEOUT_SECONDS", CallbackDelivery.DEFAULT_TIMEOUT_SECONDS));
    }

    /** With a given delivery, for tests that need to interfere with callbacks. */
    public DispatcherHandler(Environment env, Callbacks delivery) {
        Logs.configure(env);
        var dynamo = AwsClients.dynamoDb(env);
        String agentsTable = env.require("AGENTS_TABLE");
        var subscriptions = new SubscriptionIndex(dynamo, env.require("SUBSCRIPTIONS_TABLE"));
        var agents = new AgentStore(dynamo, agentsTable, subscriptions);
        this.dispatcher = new EventDispatcher(
                new AgentMatcher(subscriptions, agents),
                agents,
                new ExecutionLog(dynamo, env.require("EXECUTIONS_TABLE"), agentsTable,
                        Duration.ofDays(env.integer("EXECUTION_RETENTION_DAYS", 30))),
                delivery,
                RetryPolicy.parse(env.integer("CALLBACK_MAX_ATTEMPTS", 8),
                        env.optional("CALLBACK_RETRY_SCHEDULE_SECONDS", RetryPolicy.DEFAULT_SCHEDULE)),
                new Queues(AwsClients.build(SqsClient.builder(), env), env.require("EVENTS_QUEUE_URL"), env.require("DEAD_LETTER_QUEUE_URL")),
                Clock.systemUTC(),
                env.integer("CALLBACK_CONCURRENCY", 32),
                callbackTimeout(env));
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<SQSEvent.SQSMessage> records = event.getRecords() == null ? List.of() : event.getRecords();
        Map<String, Future<?>> work = new LinkedHashMap<>();
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (SQSEvent.SQSMessage message : records) {
                work.put(message.getMessageId(), threads.submit(() -> {
                    dispatcher.process(message);
                    return null;
                }));
            }
            work.forEach((messageId, future) -> {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    LOG.log(Level.WARNING, "Message " + messageId + " failed and will be received again", e.getCause());
                    failures.add(new SQSBatchResponse.BatchItemFailure(messageId));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failures.add(new SQSBatchResponse.BatchItemFailure(messageId));
                }
            });
        }
        return new SQSBatchResponse(failures);
    }
}
