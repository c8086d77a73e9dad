package ai.avala.agents.delivery;

import ai.avala.agents.aws.AwsFailures;
import ai.avala.agents.callback.CallbackOutcome;
import ai.avala.agents.callback.CallbackSender;
import ai.avala.agents.dispatch.DeliveryQueue;
import ai.avala.agents.dispatch.DeliveryTask;
import ai.avala.agents.dispatch.RetryPolicy;
import ai.avala.agents.json.Timestamps;
import ai.avala.agents.lambda.Deadline;
import ai.avala.agents.log.Log;
import ai.avala.agents.metrics.Metrics;
import ai.avala.agents.model.Agent;
import ai.avala.agents.model.Attempt;
import ai.avala.agents.model.Execution;
import ai.avala.agents.model.ExecutionStatus;
import ai.avala.agents.store.AgentStore;
import ai.avala.agents.store.ExecutionLog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One delivery task: one attempt of one execution's callback. The attempt is made only under a lease on
 * the execution (one conditional write that also reads it back), so that two copies of a task never call
 * an agent twice; its outcome is one more write (finished, or failed with the next attempt queued first).
 * A successful delivery therefore writes three small items in all, counting the matching stage's record,
 * and nothing on the agent's item unless its state changes (see {@link FailureStreaks}; 410 Gone switches it off).
 */
public final class CallbackAttempt {

    private static final Log LOG = Log.of(CallbackAttempt.class);
    /**
     * The time a callback needs after it, before the invocation's deadline: a failure streak's write and the
     * outcome's, with room to try them again (the outcome's write is tried again while a dependency fails, for as
     * long as the invocation has time). With a callback of at most {@code CallbackTimeoutSeconds} (20 s at most)
     * this fits in the delivery function's 45 s timeout with room for a slow lease.
     */
    private static final Duration AFTER_CALLBACK = Duration.ofSeconds(8);
    /**
     * How long a delivery holds an execution: beyond the delivery function's 45 s timeout (whatever
     * {@code CallbackTimeoutSeconds} is), so that no second copy of a task can lease it while the invocation that
     * holds it may still be calling or recording; {@code TemplateTimeoutsTest} holds the two together.
     */
    public static final Duration LEASE = Duration.ofSeconds(60);

    /** How soon a task that could not start its callback in time comes back. */
    private static final long DEFER_MILLIS = 2000;

    private final AgentStore agents;
    private final ExecutionLog executions;
    private final CallbackSender callbacks;
    private final RetryPolicy retries;
    private final DeliveryQueue deliveries;
    private final Clock clock;
    private final Duration callbackTimeout;
    private final FailureStreaks streaks;

    public CallbackAttempt(
            AgentStore agents,
            ExecutionLog executions,
            CallbackSender callbacks,
            RetryPolicy retries,
            DeliveryQueue deliveries,
            Clock clock,
            Duration callbackTimeout,
            Duration autoDisableAfter) {
        this.agents = agents;
        this.streaks = new FailureStreaks(agents, autoDisableAfter);
        this.executions = executions;
        this.callbacks = callbacks;
        this.retries = retries;
        this.deliveries = deliveries;
        this.clock = clock;
        this.callbackTimeout = callbackTimeout;
    }

    /**
     * The time a callback needs before the invocation's deadline to be started: its own deadline and the writes
     * after it. A task is started only with that much time left, and its callback only if that much is still left
     * once the execution is leased.
     */
    public static Duration callbackWithItsWrites(Duration callbackTimeout) {
        return callbackTimeout.plus(AFTER_CALLBACK);
    }

    /**
     * How long the writes after a callback are tried again: the invocation's remaining time, less what the rest of
     * the batch needs to end (a lease given back, a task sent again, the batch's answer).
     */
    private static Duration afterCallbackBudget(Deadline deadline) {
        Duration budget = deadline.remaining().minusSeconds(3);
        return budget.isNegative() ? Duration.ZERO : budget;
    }

    /**
     * Runs one task within {@code deadline}; throws only when it must be received again (a transient failure). On
     * the task's {@code lastReceive} the lease also marks the execution for the sweep (see {@link ExecutionSweep}),
     * as SQS dead-letters the task if this invocation dies.
     */
    public void run(DeliveryTask task, Deadline deadline, boolean lastReceive) {
        long nowMillis = clock.millis();
        if (task.dueMillis() > nowMillis + 1000) {
            deliveries.send(task, nowMillis);
            return;
        }
        Instant now = Timestamps.now(clock);
        Instant leaseEnd = now.plus(LEASE);
        Optional<Execution> leased = executions.leaseForCallback(
                task.agent(), task.execution(), task.attemptsMade(), leaseEnd, now, lastReceive);
        if (leased.isEmpty()) {
            lookAgainIfLeasedElsewhere(task, leaseEnd);
            return;
        }
        Execution execution = leased.get();
        try {
            attempt(task, execution, deadline);
        } catch (RuntimeException e) {
            executions.release(execution);
            throw e;
        }
    }

    /**
     * Ends the task's execution failed with {@code reason} if it is still waiting for this task (running, the
     * task's attempt not made, no other copy holding it), as the task is given up; best-effort: when a dependency
     * fails this too, the execution stays running, marked for the sweep, which takes it up.
     */
    public void abandon(DeliveryTask task, String reason) {
        try {
            // Under a lease of its own, so that a copy of the task still calling the receiver is not overtaken.
            Instant now = Timestamps.now(clock);
            executions
                    .lease(task.agent(), task.execution(), task.attemptsMade(), now.plus(LEASE), now, true)
                    .ifPresent(current -> executions.finish(
                            current, current.finished(ExecutionStatus.FAILED, null, null, null, reason, now)));
        } catch (RuntimeException e) {
            LOG.warn(
                    "The execution of an abandoned delivery task could not be ended", e, "execution", task.execution());
        }
    }

    /** The lease was refused: another worker holds it (look again when it lapses), or the attempt was made. */
    private void lookAgainIfLeasedElsewhere(DeliveryTask task, Instant leaseEnd) {
        Optional<Execution> current = executions.find(task.agent(), task.execution());
        boolean stillDue = current.isPresent()
                && current.get().status() == ExecutionStatus.RUNNING
                && current.get().attempts() == task.attemptsMade();
        if (stillDue) {
            deliveries.send(task.next(task.attemptsMade(), leaseEnd.toEpochMilli()), clock.millis());
        }
    }

    private void attempt(DeliveryTask task, Execution execution, Deadline deadline) {
        Optional<Agent> found = agents.findWithoutStats(task.tenant(), task.agent());
        if (found.isEmpty()) {
            measure(null, DeliveryOutcome.SKIPPED);
            finish(execution, ExecutionStatus.FAILED, null, null, "The agent was deleted.", deadline);
            return;
        }
        Agent agent = found.get();
        if (!agent.active() || agent.pullMode()) {
            measure(null, DeliveryOutcome.SKIPPED);
            finish(
                    execution,
                    ExecutionStatus.FAILED,
                    null,
                    null,
                    "Not delivered: the agent was " + (agent.active() ? "switched to pull mode" : "deactivated") + ".",
                    deadline);
            return;
        }
        if (!deadline.leaves(callbackWithItsWrites(callbackTimeout))) {
            // The lease and the agent's read took the time the callback and its writes need: Lambda would stop the
            // invocation after the receiver was called, before its outcome was written. Back in seconds instead.
            executions.release(execution);
            long now = clock.millis();
            deliveries.send(task.next(task.attemptsMade(), now + DEFER_MILLIS), now);
            return;
        }
        Instant started = Timestamps.now(clock);
        CallbackOutcome outcome = callbacks.send(
                agent.callbackUrl(),
                agent.signingSecrets(started),
                execution.uid(),
                execution.eventType(),
                agent.uid(),
                execution.eventPayload());
        Instant ended = Timestamps.now(clock);
        Attempt attempt = new Attempt(
                execution.attempts() + 1,
                started,
                ended.toEpochMilli() - started.toEpochMilli(),
                outcome.statusCode(),
                outcome.error());
        switch (outcome) {
            case CallbackOutcome.Succeeded succeeded -> {
                measure(attempt, DeliveryOutcome.SUCCESS);
                streaks.succeeded(agent);
                finish(execution, ExecutionStatus.SUCCESS, attempt, outcome, null, deadline);
            }
            case CallbackOutcome.Refused gone
            when gone.status() == 410 -> {
                measure(attempt, DeliveryOutcome.FAILED);
                streaks.gone(agent, ended);
                finish(
                        execution,
                        ExecutionStatus.FAILED,
                        attempt,
                        outcome,
                        "Callback answered 410 Gone; the agent was deactivated (is_active: false).",
                        deadline);
            }
            case CallbackOutcome.Refused refused ->
                failed(task, execution, agent, attempt, refused, refused.retryAfter(), deadline);
            case CallbackOutcome.Unanswered unanswered ->
                failed(task, execution, agent, attempt, unanswered, null, deadline);
        }
    }

    /** A failed attempt: the agent switched off after failing too long, the last attempt made, or a retry queued. */
    private void failed(
            DeliveryTask task,
            Execution execution,
            Agent agent,
            Attempt attempt,
            CallbackOutcome outcome,
            Duration retryAfter,
            Deadline deadline) {
        Instant ended = attempt.endedAt();
        Optional<String> switchedOff = streaks.failed(agent, ended);
        if (switchedOff.isPresent()) {
            measure(attempt, DeliveryOutcome.FAILED);
            finish(
                    execution,
                    ExecutionStatus.FAILED,
                    attempt,
                    outcome,
                    outcome.error() + " " + switchedOff.get(),
                    deadline);
            return;
        }
        Optional<Duration> delay = retries.nextDelay(attempt.attempt(), retryAfter);
        if (delay.isEmpty()) {
            measure(attempt, DeliveryOutcome.FAILED);
            finish(
                    execution,
                    ExecutionStatus.FAILED,
                    attempt,
                    outcome,
                    outcome.error() + " Gave up after " + attempt.attempt() + " attempt(s).",
                    deadline);
            return;
        }
        measure(attempt, DeliveryOutcome.RETRYING);
        Instant next = ended.plus(delay.get());
        // The next task is queued before the attempt is recorded: a crash in between repeats an attempt, never loses
        // one. Both are tried again in the process while a dependency fails: only a process that dies repeats a
        // callback.
        AwsFailures.persist(
                () -> {
                    deliveries.send(task.next(attempt.attempt(), next.toEpochMilli()), ended.toEpochMilli());
                    return null;
                },
                afterCallbackBudget(deadline));
        AwsFailures.persist(
                () -> {
                    executions.recordFailedAttempt(
                            execution,
                            execution.attemptFailed(
                                    attempt,
                                    outcome.error() + " Retrying in "
                                            + delay.get().toSeconds() + " s.",
                                    next,
                                    ended));
                    return null;
                },
                afterCallbackBudget(deadline));
    }

    /**
     * One delivery in the metrics, by outcome: the attempt's latency and number where one was made.
     */
    private static void measure(Attempt attempt, DeliveryOutcome outcome) {
        Metrics line =
                Metrics.line().dimension("Outcome", outcome.metricValue()).add("Deliveries", 1);
        if (attempt != null) {
            line.milliseconds("CallbackLatency", attempt.durationMs()).add("Attempt", attempt.attempt());
        }
        line.emit();
    }

    private void finish(
            Execution execution,
            ExecutionStatus status,
            Attempt attempt,
            CallbackOutcome outcome,
            String error,
            Deadline deadline) {
        Execution finished = execution.finished(
                status,
                attempt,
                outcome == null ? null : outcome.action(),
                outcome == null ? null : outcome.responseJson(),
                error,
                Timestamps.now(clock));
        if (!AwsFailures.persist(() -> executions.finish(execution, finished), afterCallbackBudget(deadline))) {
            LOG.info("Execution " + execution.uid() + " was finished by another worker.");
        }
    }
}
