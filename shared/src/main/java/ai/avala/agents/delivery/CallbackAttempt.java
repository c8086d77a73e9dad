package ai.avala.agents.delivery;

import ai.avala.agents.aws.AwsFailures;
import ai.avala.agents.callback.CallbackOutcome;
import ai.avala.agents.callback.CallbackSender;
import ai.avala.agents.dispatch.DeliveryQueue;
import ai.avala.agents.dispatch.DeliveryTask;
import ai.avala.agents.dispatch.RetryPolicy;
import ai.avala.agents.json.Timestamps;
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
     * How long the writes after a callback are tried again while a dependency fails: within the delivery function's
     * 30 s timeout after a callback of at most {@code CallbackTimeoutSeconds} (20 s at most), with the SDK's own
     * retries inside each try.
     */
    private static final Duration AFTER_CALLBACK_BUDGET = Duration.ofSeconds(3);

    private final AgentStore agents;
    private final ExecutionLog executions;
    private final CallbackSender callbacks;
    private final RetryPolicy retries;
    private final DeliveryQueue deliveries;
    private final Clock clock;
    private final Duration lease;
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
        // Long enough for one callback and the writes around it.
        this.lease = callbackTimeout.plusSeconds(20);
    }

    /**
     * The longest one task takes once started: the reads and the lease before the callback, the callback's own
     * deadline, and the writes after it with their in-process retries.
     */
    public static Duration longestTask(Duration callbackTimeout) {
        return callbackTimeout.plus(AFTER_CALLBACK_BUDGET.multipliedBy(2)).plusSeconds(2);
    }

    /** Runs one task; throws only when it must be received again (a transient failure). */
    public void run(DeliveryTask task) {
        long nowMillis = clock.millis();
        if (task.dueMillis() > nowMillis + 1000) {
            deliveries.send(task, nowMillis);
            return;
        }
        Instant now = Timestamps.now(clock);
        Instant leaseEnd = now.plus(lease);
        Optional<Execution> leased =
                executions.lease(task.agent(), task.execution(), task.attemptsMade(), leaseEnd, now);
        if (leased.isEmpty()) {
            lookAgainIfLeasedElsewhere(task, leaseEnd);
            return;
        }
        Execution execution = leased.get();
        try {
            attempt(task, execution);
        } catch (RuntimeException e) {
            executions.release(execution);
            throw e;
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

    private void attempt(DeliveryTask task, Execution execution) {
        Optional<Agent> found = agents.findWithoutStats(task.tenant(), task.agent());
        if (found.isEmpty()) {
            measure(null, DeliveryOutcome.SKIPPED);
            finish(execution, ExecutionStatus.FAILED, null, null, "The agent was deleted.");
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
                    "Not delivered: the agent was " + (agent.active() ? "switched to pull mode" : "deactivated") + ".");
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
                finish(execution, ExecutionStatus.SUCCESS, attempt, outcome, null);
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
                        "Callback answered 410 Gone; the agent was deactivated (is_active: false).");
            }
            case CallbackOutcome.Refused refused ->
                failed(task, execution, agent, attempt, refused, refused.retryAfter());
            case CallbackOutcome.Unanswered unanswered -> failed(task, execution, agent, attempt, unanswered, null);
        }
    }

    /** A failed attempt: the agent switched off after failing too long, the last attempt made, or a retry queued. */
    private void failed(
            DeliveryTask task,
            Execution execution,
            Agent agent,
            Attempt attempt,
            CallbackOutcome outcome,
            Duration retryAfter) {
        Instant ended = attempt.endedAt();
        Optional<String> switchedOff = streaks.failed(agent, ended);
        if (switchedOff.isPresent()) {
            measure(attempt, DeliveryOutcome.FAILED);
            finish(execution, ExecutionStatus.FAILED, attempt, outcome, outcome.error() + " " + switchedOff.get());
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
                    outcome.error() + " Gave up after " + attempt.attempt() + " attempt(s).");
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
                AFTER_CALLBACK_BUDGET);
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
                AFTER_CALLBACK_BUDGET);
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
            Execution execution, ExecutionStatus status, Attempt attempt, CallbackOutcome outcome, String error) {
        Execution finished = execution.finished(
                status,
                attempt,
                outcome == null ? null : outcome.action(),
                outcome == null ? null : outcome.responseJson(),
                error,
                Timestamps.now(clock));
        if (!AwsFailures.persist(() -> executions.finish(execution, finished), AFTER_CALLBACK_BUDGET)) {
            LOG.info("Execution " + execution.uid() + " was finished by another worker.");
        }
    }
}
