package ai.avala.agents.functions.dispatcher;

import ai.avala.agents.callback.Callbacks;
import ai.avala.agents.callback.DeliveryOutcome;
import ai.avala.agents.dispatch.AgentMatcher;
import ai.avala.agents.dispatch.EventIntake;
import ai.avala.agents.dispatch.PoisonMessageException;
import ai.avala.agents.dispatch.RetryPolicy;
import ai.avala.agents.ids.Ids;
import ai.avala.agents.model.Agent;
import ai.avala.agents.model.Execution;
import ai.avala.agents.model.ExecutionStatus;
import ai.avala.agents.model.LabelingEvent;
import ai.avala.agents.model.Timestamps;
import ai.avala.agents.store.AgentStore;
import ai.avala.agents.store.ExecutionLog;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.logging.Logger;

/**
 * Turns one queue message into executions and callbacks. A labeling event reaches each matching agent
 * exactly once: the execution is created idempotently per (event id, agent), callbacks go out
 * concurrently, and a failed callback is retried by a delayed message of its own, so a redelivered
 * event never calls an agent that already succeeded. Every method is safe to run again for the same
 * message after a crash at any point.
 */
final class EventDispatcher {

    private static final Logger LOG = Logger.getLogger(EventDispatcher.class.getName());
    private final AgentMatcher matcher;
    private final AgentStore agents;
    private final ExecutionLog executions;
    private final Callbacks delivery;
    private final RetryPolicy retries;
    private final Queues queues;
    private final Clock clock;
    // Bounds the agents being reached at once across a whole batch (10 events x many agents each).
    private final Semaphore concurrent;
    private final Duration lease;

    EventDispatcher(AgentMatcher matcher, AgentStore agents, ExecutionLog executions, Callbacks delivery,
                    RetryPolicy retries, Queues queues, Clock clock, int maxConcurrent, Duration callbackTimeout) {
        this.matcher = matcher;
        this.agents = agents;
        this.executions = executions;
        this.delivery = delivery;
        this.retries = retries;
        this.queues = queues;
        this.clock = clock;
        this.concurrent = new Semaphore(maxConcurrent);
        // Long enough for one callback and the writes around it.
        this.lease = callbackTimeout.plusSeconds(20);
    }

    /** Processes one message; throws only when it must be received again (a transient failure). */
    void process(SQSEvent.SQSMessage message) throws Exception {
        var attributes = message.getMessageAttributes();
        var type = attributes == null ? null : attributes.get(RetryMessage.TYPE_ATTRIBUTE);
        try {
            if (type != null && RetryMessage.TYPE.equals(type.getStringValue())) {
                retry(RetryMessage.parse(message.getBody()));
            } else {
                dispatch(EventIntake.parse(message.getBody()));
            }
        } catch (PoisonMessageException e) {
            LOG.warning("Message " + message.getMessageId() + " moved to the dead-letter queue: " + e.getMessage());
            queues.deadLetter(message.getBody(), e.getMessage(), message.getMessageId());
        }
    }

    private void dispatch(LabelingEvent event) throws Exception {
        List<Agent> matched = matcher.match(event);
        if (matched.isEmpty()) {
            LOG.info("Event " + event.id() + " (" + event.type() + ") of tenant " + event.tenant() + " matched no agent.");
            return;
        }
        LOG.info("Event " + event.id() + " (" + event.type() + ") of tenant " + event.tenant() + " matched "
                + matched.size() + " agent(s).");
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> calls = new ArrayList<>();
            for (Agent agent : matched) {
                calls.add(threads.submit(() -> {
                    concurrent.acquire();
                    try {
                        reach(agent, event);
                    } finally {
                        concurrent.release();
                    }
                    return null;
                }));
            }
            awaitAll(calls);
        }
    }

    /** Creates (or finds) the execution of this event for this agent and calls the agent if that is still due. */
    private void reach(Agent agent, LabelingEvent event) {
        Instant now = Timestamps.now(clock);
        ExecutionStatus initial = agent.pullMode() ? ExecutionStatus.PENDING : ExecutionStatus.RUNNING;
        Execution fresh = new Execution(Ids.executionUid(), agent.uid(), agent.tenant(), event.id(), event.type(),
                event.task(), event.result(), initial, null, event.payload(), null, null, 0, null, null, now, now);
        Optional<ExecutionLog.Start> start = executions.start(fresh);
        if (start.isEmpty()) {
            LOG.info("Event " + event.id() + " not delivered to agent " + agent.uid() + ": it was deleted meanwhile.");
            return;
        }
        Execution execution = start.get().execution();
        // Attempts made already belong to the retry chain; only a never-attempted one is resumed here.
        boolean due = execution.status() == ExecutionStatus.RUNNING && execution.attempts() == 0;
        if (due) {
            attempt(agent, execution);
        }
    }

    private void retry(RetryMessage message) {
        long now = clock.millis();
        if (message.dueMillis() > now + 1000) {
            queues.scheduleRetry(message, now);
            return;
        }
        Optional<Execution> found = executions.find(message.agent(), message.execution());
        if (found.isEmpty() || found.get().status() != ExecutionStatus.RUNNING) {
            return;
        }
        Execution execution = found.get();
        Optional<Agent> agent = agents.find(message.tenant(), message.agent());
        if (agent.isEmpty()) {
            LOG.info("Retry of " + message.execution() + " dropped: its agent was deleted.");
            return;
        }
        if (!agent.get().active() || agent.get().pullMode()) {
            finish(execution, ExecutionStatus.FAILED, execution.attempts(), null, "Not retried: the agent was "
                    + (agent.get().active() ? "switched to pull mode" : "deactivated") + ".");
            return;
        }
        attempt(agent.get(), execution);
    }

    /** One attempt, made only under a lease so that two copies of a message never call an agent twice. */
    private void attempt(Agent agent, Execution execution) {
        Instant now = Timestamps.now(clock);
        Instant leaseEnd = now.plus(lease);
        if (!executions.lease(execution, leaseEnd, now)) {
            // Another worker is attempting it: look again once its lease has lapsed.
            queues.scheduleRetry(new RetryMessage(agent.tenant(), agent.uid(), execution.uid(), leaseEnd.toEpochMilli()),
                    clock.millis());
            return;
        }
        try {
            attemptLeased(agent, execution);
        } catch (RuntimeException e) {
            executions.release(execution);
            throw e;
        }
    }

    private void attemptLeased(Agent agent, Execution execution) {
        int attempt = execution.attempts() + 1;
        DeliveryOutcome outcome = delivery.deliver(agent.callbackUrl(), agent.secret(), execution.uid(),
                execution.eventType(), agent.uid(), execution.eventPayload());
        if (outcome.success()) {
            finish(execution, ExecutionStatus.SUCCESS, attempt, outcome, null);
            return;
        }
        if (outcome.statusCode() != null && outcome.statusCode() == 410) {
            agents.deactivate(agent.tenant(), agent.uid(), Timestamps.now(clock));
            finish(execution, ExecutionStatus.FAILED, attempt, outcome,
                    "Callback answered 410 Gone; the agent was deactivated (is_active: false).");
            return;
        }
        Optional<Duration> delay = retries.nextDelay(attempt, outcome.retryAfter());
        if (delay.isEmpty()) {
            finish(execution, ExecutionStatus.FAILED, attempt, outcome,
                    outcome.error() + " Gave up after " + attempt + " attempt(s).");
            return;
        }
        long now = clock.millis();
        // The retry is queued before the attempt is recorded: a crash in between repeats an attempt, never loses one.
        queues.scheduleRetry(new RetryMessage(agent.tenant(), agent.uid(), execution.uid(), now + delay.get().toMillis()), now);
        executions.recordFailedAttempt(execution, attempt,
                outcome.error() + " Retrying in " + delay.get().toSeconds() + " s.", Timestamps.now(clock));
    }

    private void finish(Execution execution, ExecutionStatus status, int attempts, DeliveryOutcome outcome, String error) {
        Instant now = Timestamps.now(clock);
        Execution finished = new Execution(execution.uid(), execution.agentUid(), execution.tenant(), execution.eventId(),
                execution.eventType(), execution.task(), execution.result(), status,
                outcome == null ? null : outcome.action(), execution.eventPayload(),
                outcome == null ? null : outcome.responseJson(), error,
                attempts, execution.startedAt() == null ? execution.createdAt() : execution.startedAt(), now,
                execution.createdAt(), now);
        if (!executions.finish(execution, finished)) {
            LOG.info("Execution " + execution.uid() + " was finished by another worker.");
        }
    }

    private static void awaitAll(List<Future<?>> calls) throws Exception {
        Exception first = null;
        for (Future<?> call : calls) {
            try {
                call.get();
            } catch (ExecutionException e) {
                if (first == null && e.getCause() instanceof Exception cause) {
                    first = cause;
                } else if (first == null) {
                    throw e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
