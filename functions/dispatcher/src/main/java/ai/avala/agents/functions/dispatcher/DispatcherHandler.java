package ai.avala.agents.functions.dispatcher;

import ai.avala.agents.config.Wiring;
import ai.avala.agents.config.Environment;
import ai.avala.agents.dispatch.AgentMatcher;
import ai.avala.agents.dispatch.DeadLetterQueue;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
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

/**
 * The events queue's consumer, the matching stage: each labeling event becomes executions and delivery
 * tasks (see {@link EventDispatcher}); callbacks are the delivery function's. The messages of a batch are
 * processed concurrently; the answer names only those that failed transiently ({@code ReportBatchItemFailures}).
 */
public final class DispatcherHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private static final Logger LOG = Logger.getLogger(DispatcherHandler.class.getName());
    static final int WRITES_PER_EVENT = 16;
    private final EventDispatcher dispatcher;

    public DispatcherHandler() {
        this(Environment.system());
    }

    public DispatcherHandler(Environment env) {
        this(new Wiring(env));
    }

    private DispatcherHandler(Wiring wiring) {
        this.dispatcher = new EventDispatcher(
                new AgentMatcher(wiring.subscriptions(), wiring.agents()),
                wiring.executions(),
                wiring.deliveries(),
                new DeadLetterQueue(wiring.sqs(), wiring.env().require("DEAD_LETTER_QUEUE_URL")),
                wiring.clock(),
                WRITES_PER_EVENT);
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
