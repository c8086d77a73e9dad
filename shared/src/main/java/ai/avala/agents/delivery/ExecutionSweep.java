package ai.avala.agents.delivery;

import ai.avala.agents.aws.AwsFailures;
import ai.avala.agents.dispatch.DeliveryQueue;
import ai.avala.agents.dispatch.DeliveryTask;
import ai.avala.agents.json.Timestamps;
import ai.avala.agents.lambda.Deadline;
import ai.avala.agents.log.Log;
import ai.avala.agents.metrics.Metrics;
import ai.avala.agents.model.Execution;
import ai.avala.agents.model.ExecutionStatus;
import ai.avala.agents.store.ExecutionLog;
import ai.avala.agents.store.SweepMarks;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The sweep, run on a schedule: finds the executions that lost their task at a rare moment and queues their task
 * again, or ends them. It reads only the sparse index of executions marked as at risk ({@link SweepMarks}: a
 * replay's claim, a lease on a task's last receive, what an event recorded on its last receive), never a Scan,
 * and no first delivery of a dispatched event writes that index. For each entry due:
 * <ul>
 *   <li>finished (or pending, which its agent's polls own): taken out of the index;
 *   <li>held by a live lease or replay claim: looked at again when that ends;
 *   <li>running and held by nothing: its task is queued again (a copy of a task still on its way is harmless: the
 *       lease lets one attempt through), and it is looked at again after {@link #REQUEUE_AFTER}; once the sweep has
 *       queued {@value #MAX_REQUEUES} tasks for it, it is ended {@code failed} with the reason (a redelivery can
 *       take it up again).
 * </ul>
 */
public final class ExecutionSweep {

    private static final Log LOG = Log.of(ExecutionSweep.class);

    /** See {@link SweepMarks#REQUEUE_AFTER}. */
    public static final Duration REQUEUE_AFTER = SweepMarks.REQUEUE_AFTER;

    /** How many tasks the sweep queues for one execution before it ends it failed. */
    public static final int MAX_REQUEUES = 2;

    static final String GAVE_UP = "No delivery took the execution up: its task was lost (a dead-lettered task or event,"
            + " or a stopped replay) and queued again " + MAX_REQUEUES + " times; redeliver it to try again.";

    private static final int PAGE = 100;
    /** The time a run keeps for one entry: a read, a write and a send, each with the SDK's retries. */
    private static final Duration PER_ENTRY = Duration.ofSeconds(5);

    /** What one run did. */
    public record Outcome(int queued, int ended, int cleared, int deferred, int failed) {}

    private final SweepMarks marks;
    private final ExecutionLog executions;
    private final DeliveryQueue deliveries;
    private final Clock clock;

    public ExecutionSweep(SweepMarks marks, ExecutionLog executions, DeliveryQueue deliveries, Clock clock) {
        this.marks = marks;
        this.executions = executions;
        this.deliveries = deliveries;
        this.clock = clock;
    }

    private enum Look {
        QUEUED,
        ENDED,
        CLEARED,
        DEFERRED,
        NONE
    }

    /** Looks at every entry due now, oldest first, while {@code deadline} leaves time; the next run goes on. */
    public Outcome run(Deadline deadline) {
        Instant now = Timestamps.now(clock);
        int[] counts = new int[Look.values().length];
        int failed = 0;
        SweepMarks.Due after = null;
        boolean more = true;
        while (more && deadline.leaves(PER_ENTRY)) {
            List<SweepMarks.Due> page = marks.due(now, after, PAGE);
            for (SweepMarks.Due due : page) {
                if (!deadline.leaves(PER_ENTRY)) {
                    break;
                }
                try {
                    counts[look(due, now).ordinal()]++;
                } catch (RuntimeException e) {
                    failed++;
                    if (AwsFailures.isTransient(e)) {
                        // Still due: the next run looks at it again.
                        LOG.warn("A dependency failed the sweep of execution " + due.uid(), e);
                    } else {
                        // A failure no retry mends: looked at again later, so that it never holds up the entries
                        // after it.
                        LOG.error("The sweep could not look at execution " + due.uid(), e);
                        postpone(due, now);
                    }
                }
                after = due;
            }
            more = page.size() == PAGE;
        }
        Outcome outcome = new Outcome(
                counts[Look.QUEUED.ordinal()],
                counts[Look.ENDED.ordinal()],
                counts[Look.CLEARED.ordinal()],
                counts[Look.DEFERRED.ordinal()],
                failed);
        Metrics.line()
                .add("SweepQueued", outcome.queued())
                .add("SweepEnded", outcome.ended())
                .emit();
        LOG.info(
                "Sweep done",
                "queued",
                outcome.queued(),
                "ended",
                outcome.ended(),
                "cleared",
                outcome.cleared(),
                "deferred",
                outcome.deferred(),
                "failed",
                outcome.failed());
        return outcome;
    }

    private void postpone(SweepMarks.Due due, Instant now) {
        try {
            marks.postpone(due, now.plus(REQUEUE_AFTER));
        } catch (RuntimeException e) {
            LOG.warn("Could not postpone the sweep of execution " + due.uid(), e);
        }
    }

    private Look look(SweepMarks.Due due, Instant now) {
        Optional<SweepMarks.State> found = marks.state(due);
        long nowMillis = now.toEpochMilli();
        if (found.isEmpty() || !found.get().marked() || found.get().sweepAt() > nowMillis) {
            // Gone (its retention ended), unmarked or moved since the index was read (the index lags the table).
            return Look.NONE;
        }
        SweepMarks.State state = found.get();
        Execution execution = state.execution();
        if (execution.status() != ExecutionStatus.RUNNING) {
            marks.clear(state);
            return Look.CLEARED;
        }
        long heldUntil = Math.max(state.leaseUntil(), state.replayUntil());
        if (heldUntil > nowMillis) {
            marks.later(state, Instant.ofEpochMilli(heldUntil), false);
            return Look.DEFERRED;
        }
        if (state.sweeps() >= MAX_REQUEUES) {
            end(execution, now);
            return Look.ENDED;
        }
        deliveries.send(
                List.of(new DeliveryTask(
                        execution.tenant(), execution.agentUid(), execution.uid(), execution.attempts(), nowMillis)),
                nowMillis);
        marks.later(state, now.plus(REQUEUE_AFTER), true);
        LOG.info(
                "Execution " + execution.uid() + " had lost its delivery task: queued again",
                "sweeps",
                state.sweeps() + 1);
        return Look.QUEUED;
    }

    /**
     * Ends the execution failed under a lease of its own (a task the sweep queued may be on it); the lease keeps it
     * marked, so that a failed finish is looked at again when the lease ends.
     */
    private void end(Execution execution, Instant now) {
        executions
                .lease(
                        execution.agentUid(),
                        execution.uid(),
                        execution.attempts(),
                        now.plus(CallbackAttempt.LEASE),
                        now,
                        true)
                .ifPresent(leased -> {
                    executions.finish(leased, leased.finished(ExecutionStatus.FAILED, null, null, null, GAVE_UP, now));
                    LOG.warn("Execution " + execution.uid() + " ended failed: " + GAVE_UP, null);
                });
    }
}
