package ai.avala.agents.functions.delivery;

import ai.avala.agents.callback.CallbackDelivery;
import ai.avala.agents.callback.Callbacks;
import ai.avala.agents.config.Environment;
import ai.avala.agents.config.Wiring;
import ai.avala.agents.dispatch.DeliveryQueue;
import ai.avala.agents.dispatch.DeliveryTask;
import ai.avala.agents.dispatch.PoisonMessageException;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.time.Clock;
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
 * The deliveries queue's consumer: one callback per task, the tasks of a batch at once. A task of a tenant
 * that already has {@code TENANT_MAX_IN_FLIGHT} deliveries in flight in this invocation goes back to the
 * queue for a few seconds; an
 * unreadable task goes to the deliveries' dead-letter queue with its reason; the answer names only the
 * tasks that failed transiently ({@code ReportBatchItemFailures}).
 */
public final class DeliveryHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private static final Logger LOG = Logger.getLogger(DeliveryHandler.class.getName());
    static final int DEFAULT_TENANT_IN_FLIGHT = 10;
    private static final long DEFER_MILLIS = 2000;
    private final CallbackAttempt attempts;
    private final DeliveryQueue deliveries;
    private final int tenantInFlight;
    private final Clock clock;

    public DeliveryHandler() {
        this(Environment.system());
    }

    public DeliveryHandler(Environment env) {
        this(new Wiring(env), null);
    }

    /** With the given callbacks, for tests that need to interfere with them or trust a test certificate. */
    public DeliveryHandler(Environment env, Callbacks callbacks) {
        this(new Wiring(env), callbacks);
    }

    private DeliveryHandler(Wiring wiring, Callbacks callbacks) {
        this.deliveries = wiring.deliveries();
        this.clock = wiring.clock();
        this.attempts = new CallbackAttempt(wiring.agents(), wiring.executions(),
                callbacks != null ? callbacks : CallbackDelivery.fromEnvironment(wiring.env()),
                wiring.retries(), deliveries, clock, wiring.callbackTimeout());
        this.tenantInFlight = wiring.env().integer("TENANT_MAX_IN_FLIGHT", DEFAULT_TENANT_IN_FLIGHT);
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<SQSEvent.SQSMessage> records = event.getRecords() == null ? List.of() : event.getRecords();
        Map<String, Future<?>> work = new LinkedHashMap<>();
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        // Per invocation, as a Lambda instance runs one invocation at a time (and the local stack many at once).
        TenantSlots slots = new TenantSlots(tenantInFlight);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (SQSEvent.SQSMessage message : records) {
                work.put(message.getMessageId(), threads.submit(() -> {
                    deliver(message, slots);
                    return null;
                }));
            }
            work.forEach((messageId, future) -> {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    LOG.log(Level.WARNING, "Delivery task " + messageId + " failed and will be received again", e.getCause());
                    failures.add(new SQSBatchResponse.BatchItemFailure(messageId));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failures.add(new SQSBatchResponse.BatchItemFailure(messageId));
                }
            });
        }
        return new SQSBatchResponse(failures);
    }

    private void deliver(SQSEvent.SQSMessage message, TenantSlots slots) {
        DeliveryTask task;
        try {
            task = DeliveryTask.parse(message.getBody());
        } catch (PoisonMessageException e) {
            LOG.warning("Delivery task " + message.getMessageId() + " moved to the dead-letter queue: " + e.getMessage());
            deliveries.deadLetters().send(message.getBody(), e.getMessage(), message.getMessageId());
            return;
        }
        if (!slots.tryAcquire(task.tenant())) {
            long now = clock.millis();
            deliveries.send(task.next(task.attemptsMade(), Math.max(task.dueMillis(), now + DEFER_MILLIS)), now);
            return;
        }
        try {
            attempts.run(task);
        } finally {
            slots.release(task.tenant());
        }
    }
}
