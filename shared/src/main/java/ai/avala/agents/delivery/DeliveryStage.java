package ai.avala.agents.delivery;

import ai.avala.agents.dispatch.DeliveryQueue;
import ai.avala.agents.dispatch.DeliveryTask;
import ai.avala.agents.dispatch.PoisonMessageException;
import ai.avala.agents.lambda.QueueFunction;
import ai.avala.agents.lambda.QueueMessage;
import ai.avala.agents.log.Log;
import java.time.Clock;

/**
 * The delivery stage: one callback per task, the tasks of a batch at once. A task of a tenant that already
 * has {@code perTenant} deliveries in flight in this invocation goes back to the queue for a few seconds; an
 * unreadable task goes to the deliveries' dead-letter queue with its reason.
 */
public final class DeliveryStage {

    private static final Log LOG = Log.of(DeliveryStage.class);
    private static final long DEFER_MILLIS = 2000;
    private final CallbackAttempt attempts;
    private final DeliveryQueue deliveries;
    private final Clock clock;
    private final int perTenant;

    public DeliveryStage(CallbackAttempt attempts, DeliveryQueue deliveries, Clock clock, int perTenant) {
        this.attempts = attempts;
        this.deliveries = deliveries;
        this.clock = clock;
        this.perTenant = perTenant;
    }

    /** The processing of one invocation's batch; its tenant bound is per invocation, as a Lambda instance runs one at a time. */
    public QueueFunction.Invocation newInvocation() {
        TenantSlots slots = new TenantSlots(perTenant);
        return message -> deliver(message, slots);
    }

    private void deliver(QueueMessage message, TenantSlots slots) {
        DeliveryTask task;
        try {
            task = DeliveryTask.parse(message.body());
        } catch (PoisonMessageException e) {
            LOG.warn(
                    "Delivery task " + message.messageId() + " moved to the dead-letter queue: " + e.getMessage(),
                    null);
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
