package ai.avala.agents.functions.delivery;

import ai.avala.agents.callback.CallbackDelivery;
import ai.avala.agents.callback.CallbackSender;
import ai.avala.agents.config.Environment;
import ai.avala.agents.config.Wiring;
import ai.avala.agents.dispatch.DeliveryQueue;
import ai.avala.agents.dispatch.DeliveryTask;
import ai.avala.agents.dispatch.PoisonMessageException;
import ai.avala.agents.lambda.QueueFunction;
import ai.avala.agents.lambda.QueueMessage;
import java.time.Clock;
import ai.avala.agents.config.Log;

/**
 * The deliveries queue's consumer: one callback per task, the tasks of a batch at once. A task of a tenant
 * that already has {@code TENANT_MAX_IN_FLIGHT} deliveries in flight in this invocation goes back to the
 * queue for a few seconds; an unreadable task goes to the deliveries' dead-letter queue with its reason.
 */
public final class DeliveryHandler extends QueueFunction {

    private static final Log LOG = Log.of(DeliveryHandler.class);
    static final int DEFAULT_TENANT_IN_FLIGHT = 10;
    private static final long DEFER_MILLIS = 2000;
    private final CallbackAttempt attempts;
    private final DeliveryQueue deliveries;
    private final Clock clock;
    private final int tenantInFlight;

    public DeliveryHandler() {
        this(Environment.system());
    }

    public DeliveryHandler(Environment env) {
        this(new Wiring(env), null, null);
    }

    /** On {@code clock}: the local stack's, which tests move forward (to days of failures, past an overlap). */
    public DeliveryHandler(Environment env, Clock clock) {
        this(new Wiring(env), null, clock);
    }

    /** With the given callbacks, for tests that need to interfere with them or trust a test certificate. */
    public DeliveryHandler(Environment env, CallbackSender callbacks) {
        this(new Wiring(env), callbacks, null);
    }

    private DeliveryHandler(Wiring wiring, CallbackSender callbacks, Clock clock) {
        this.deliveries = wiring.deliveries();
        this.clock = clock != null ? clock : wiring.clock();
        this.attempts = new CallbackAttempt(wiring.agents(), wiring.executions(),
                callbacks != null ? callbacks : CallbackDelivery.fromEnvironment(wiring.env()),
                wiring.retries(), deliveries, this.clock, wiring.callbackTimeout(), wiring.autoDisableAfter());
        this.tenantInFlight = wiring.env().integer("TENANT_MAX_IN_FLIGHT", DEFAULT_TENANT_IN_FLIGHT);
    }

    @Override
    protected Invocation newInvocation() {
        // Per invocation, as a Lambda instance runs one invocation at a time (and the local stack many at once).
        TenantSlots slots = new TenantSlots(tenantInFlight);
        return message -> deliver(message, slots);
    }

    private void deliver(QueueMessage message, TenantSlots slots) {
        DeliveryTask task;
        try {
            task = DeliveryTask.parse(message.body());
        } catch (PoisonMessageException e) {
            LOG.warn("Delivery task " + message.messageId() + " moved to the dead-letter queue: " + e.getMessage(), null);
            deliveries.deadLetters().send(message.body(), e.getMessage(), message.messageId());
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
