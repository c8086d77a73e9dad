package ai.avala.agents.delivery;

import ai.avala.agents.aws.AwsFailures;
import ai.avala.agents.dispatch.DeliveryQueue;
import ai.avala.agents.dispatch.DeliveryTask;
import ai.avala.agents.dispatch.PoisonMessageException;
import ai.avala.agents.lambda.Deadline;
import ai.avala.agents.lambda.QueueFunction;
import ai.avala.agents.lambda.QueueMessage;
import ai.avala.agents.log.Log;
import java.time.Clock;
import java.time.Duration;

/**
 * The delivery stage: one callback per task, the tasks of a batch at once. A task of a tenant that already
 * has {@code perTenant} deliveries in flight in this invocation goes back to the queue for a few seconds; an
 * unreadable task goes to the deliveries' dead-letter queue with its reason.
 */
public final class DeliveryStage {

    private static final Log LOG = Log.of(DeliveryStage.class);
    private static final long DEFER_MILLIS = 2000;
    /** Times a task is sent again after transient failures before it is left to the queue's redrive. */
    static final int MAX_TRANSIENT_RETRIES = 12;

    private final CallbackAttempt attempts;
    private final DeliveryQueue deliveries;
    private final Clock clock;
    private final int perTenant;
    private final Duration perTask;
    private final int maxReceives;

    /**
     * {@code perTask}: the time a task needs before the invocation's deadline to be started (its callback's deadline
     * and the writes after it; see {@link CallbackAttempt#callbackWithItsWrites}).
     */
    public DeliveryStage(
            CallbackAttempt attempts,
            DeliveryQueue deliveries,
            Clock clock,
            int perTenant,
            Duration perTask,
            int maxReceives) {
        this.perTask = perTask;
        this.maxReceives = maxReceives;
        this.attempts = attempts;
        this.deliveries = deliveries;
        this.clock = clock;
        this.perTenant = perTenant;
    }

    /**
     * The processing of one invocation's batch, ending by {@code deadline}; its tenant bound is per invocation, as a
     * Lambda instance runs one at a time.
     */
    public QueueFunction.Invocation newInvocation(Deadline deadline) {
        TenantSlots slots = new TenantSlots(perTenant);
        return message -> deliver(message, slots, deadline);
    }

    private void deliver(QueueMessage message, TenantSlots slots, Deadline deadline) {
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
        if (!deadline.leaves(perTask)) {
            // A callback started now could outlive the invocation, which Lambda stops where it stands: after the
            // receiver was called, before its outcome was recorded. The task comes back in seconds instead.
            long now = clock.millis();
            deliveries.send(task.next(task.attemptsMade(), Math.max(task.dueMillis(), now + DEFER_MILLIS)), now);
            return;
        }
        if (!slots.tryAcquire(task.tenant())) {
            long now = clock.millis();
            deliveries.send(task.next(task.attemptsMade(), Math.max(task.dueMillis(), now + DEFER_MILLIS)), now);
            return;
        }
        try {
            attempts.run(task, deadline, message.receiveCount() >= maxReceives);
        } catch (RuntimeException e) {
            if (!AwsFailures.isTransient(e) || task.transientRetries() >= MAX_TRANSIENT_RETRIES) {
                if (message.receiveCount() >= maxReceives) {
                    // SQS moves the task to the dead-letter queue after this receive: nothing would ever end its
                    // execution. It ends failed, with the reason, first; the dead letter is kept.
                    attempts.abandon(
                            task,
                            "The delivery task failed on each of its " + maxReceives
                                    + " receives and went to the deliveries' dead-letter queue.");
                }
                throw e;
            }
            // Back in seconds as a new message, not after the queue's visibility timeout, and without counting a
            // receive towards the dead-letter queue: a dependency throttled for minutes leaves the task healthy.
            long now = clock.millis();
            long delay = transientDelayMillis(task.transientRetries());
            LOG.warn(
                    "A dependency failed the delivery task of execution " + task.execution() + "; sent again in "
                            + delay / 1000 + " s",
                    e);
            deliveries.send(task.afterTransientFailure(now + delay), now);
        } finally {
            slots.release(task.tenant());
        }
    }

    /** 1, 2, 4 ... 60 s, jittered by up to a fifth so that tasks failed together do not come back together. */
    static long transientDelayMillis(int retriesMade) {
        long base = Math.min(60_000L, 1000L << Math.min(retriesMade, 6));
        return base - java.util.concurrent.ThreadLocalRandom.current().nextLong(base / 5 + 1);
    }
}
