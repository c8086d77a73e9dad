package ai.avala.agents.dispatch;

import ai.avala.agents.aws.AwsFailures;
import ai.avala.agents.catalog.EventSchemas;
import ai.avala.agents.ids.Ids;
import ai.avala.agents.json.Timestamps;
import ai.avala.agents.lambda.Deadline;
import ai.avala.agents.lambda.QueueMessage;
import ai.avala.agents.log.Log;
import ai.avala.agents.metrics.Metrics;
import ai.avala.agents.model.Agent;
import ai.avala.agents.model.Execution;
import ai.avala.agents.model.LabelingEvent;
import ai.avala.agents.store.EventPayloads;
import ai.avala.agents.store.ExecutionLog;
import ai.avala.agents.store.SweepMarks;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * The matching stage: turns one labeling event into executions and delivery tasks, never calling a
 * receiver, so that its time depends only on how many agents an event matches. For each matched agent it
 * records the execution (one conditional write; the uid is derived from the event and the agent, so a
 * redelivered or resent event finds it there) and, for an agent with a callback URL, queues a delivery task.
 * Agents are handled a page at a time: their executions written concurrently, then their tasks queued, so
 * deliveries start while a large fan-out is still being recorded.
 */
public final class EventDispatcher {

    private static final Log LOG = Log.of(EventDispatcher.class);
    private static final int PAGE = 100;
    /**
     * Each event's writes in flight, per event rather than per batch, so that an event matching one agent is
     * recorded and queued at once beside one matching thousands.
     */
    private static final int WRITES_PER_EVENT = 16;
    /** Sendings of an event after transient failures before it is left to the queue's redrive. */
    private static final int MAX_TRANSIENT_RETRIES = 12;
    /** What a page of agents takes at most to record and queue, with the SDK's retries (its time must be left). */
    private static final Duration PAGE_BUDGET = Duration.ofSeconds(10);

    private final EventQueue events;
    private final AgentMatcher matcher;
    private final ExecutionLog executions;
    private final DeliveryQueue deliveries;
    private final DeadLetterQueue deadLetters;
    private final SweepMarks sweepMarks;
    private final EventSchemas schemas;
    private final Clock clock;
    private final int maxReceives;

    public EventDispatcher(
            EventQueue events,
            AgentMatcher matcher,
            ExecutionLog executions,
            DeliveryQueue deliveries,
            DeadLetterQueue deadLetters,
            SweepMarks sweepMarks,
            EventSchemas schemas,
            Clock clock,
            int maxReceives) {
        this.schemas = schemas;
        this.sweepMarks = sweepMarks;
        this.maxReceives = maxReceives;
        this.events = events;
        this.matcher = matcher;
        this.executions = executions;
        this.deliveries = deliveries;
        this.deadLetters = deadLetters;
        this.clock = clock;
    }

    /**
     * Reads each catalog type's example as intake reads an event, schema included (SnapStart priming: no AWS call);
     * throws if an example does not pass, which would be a broken catalog.
     */
    public void warmUpIntake() {
        schemas.warmUp();
    }

    /** Processes one message; throws only when it must be received again (a transient failure). */
    public void process(QueueMessage message, Deadline deadline) throws Exception {
        LabelingEvent event;
        try {
            event = EventIntake.parse(message.body(), schemas);
        } catch (PoisonMessageException e) {
            LOG.warn("Message " + message.messageId() + " moved to the dead-letter queue: " + e.getMessage(), null);
            if (e.outsideCatalog()) {
                // A producer's mistake (or a type not yet added to the catalog): the dead-letter alarm fires.
                Metrics.line().add("InvalidEvents", 1).emit();
            }
            deadLetters.send(message.body(), e.getMessage(), message.messageId());
            return;
        }
        Log.tag("tenant", event.tenant());
        try {
            dispatch(event, message, deadline, message.receiveCount() >= maxReceives);
        } catch (RuntimeException e) {
            if (!AwsFailures.isTransient(e) || message.transientRetries() >= MAX_TRANSIENT_RETRIES) {
                throw e;
            }
            // Back in seconds as a new message, not after the events queue's 360 s visibility timeout; what was
            // recorded already is found again (one execution per event and agent).
            int delay = (int) Math.min(60, 1L << Math.min(message.transientRetries(), 6));
            LOG.warn("A dependency failed event " + event.id() + "; sent again in " + delay + " s", e);
            events.sendAgain(message, delay);
        }
    }

    /**
     * Records and queues the event's executions. On its {@code lastReceive} they are marked for the sweep (see
     * {@link SweepMarks}): if this receive fails too, SQS dead-letters the event, and nothing else would queue the
     * tasks of what was recorded.
     */
    private void dispatch(LabelingEvent event, QueueMessage message, Deadline deadline, boolean lastReceive)
            throws Exception {
        long started = System.nanoTime();
        List<Agent> matched = matcher.match(event);
        LOG.info("Event matched", "event_id", event.id(), "event_type", event.type(), "matched_agents", matched.size());
        if (!matched.isEmpty()) {
            Instant eventTime = eventTime(event, message);
            // The payload once for every agent that calls back, before the executions that name it (EventPayloads).
            String payloadKey = null;
            if (matched.stream().anyMatch(agent -> !agent.pullMode())) {
                payloadKey = EventPayloads.keyOf(event.tenant(), eventTime.toEpochMilli(), event.id());
                executions.storePayload(payloadKey, event.payload(), Timestamps.now(clock));
            }
            Semaphore writes = new Semaphore(WRITES_PER_EVENT);
            for (int start = 0; start < matched.size(); start += PAGE) {
                if (!deadline.leaves(PAGE_BUDGET)) {
                    // Stopped before a page it could not record and queue in time: the event comes back, and what
                    // was recorded is found again (one execution per event and agent).
                    throw new IllegalStateException("Out of time before recording agents " + start + " onwards of "
                            + matched.size() + "; the event is received again");
                }
                List<Agent> page = matched.subList(start, Math.min(matched.size(), start + PAGE));
                Instant sweepAt = lastReceive ? clock.instant().plus(SweepMarks.REQUEUE_AFTER) : null;
                deliveries.send(record(event, eventTime, page, writes, sweepAt, payloadKey), clock.millis());
            }
        }
        // Matching time: from the event read to its executions recorded and their tasks queued.
        Metrics.line()
                .add("FanOut", matched.size())
                .milliseconds("MatchingTime", (System.nanoTime() - started) / 1_000_000)
                .emit();
    }

    /** Records the executions of one page of agents concurrently; the delivery tasks of those that call back. */
    private List<DeliveryTask> record(
            LabelingEvent event,
            Instant eventTime,
            List<Agent> agents,
            Semaphore writes,
            Instant sweepAt,
            String payloadKey)
            throws Exception {
        Instant now = Timestamps.now(clock);
        List<DeliveryTask> tasks = new ArrayList<>();
        List<Future<?>> written = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Agent agent : agents) {
                String uid = Ids.executionUid(eventTime.toEpochMilli(), event.tenant(), event.id(), agent.uid());
                Execution execution = Execution.started(uid, agent.uid(), agent.tenant(), event, agent.pullMode(), now);
                written.add(threads.submit(() -> {
                    writes.acquire();
                    try {
                        // Pull-mode executions carry their payload: their claims and pending lists read it there.
                        boolean created = agent.pullMode()
                                ? executions.create(execution, null)
                                : executions.create(execution, sweepAt, payloadKey);
                        if (!created && sweepAt != null && !agent.pullMode()) {
                            // Recorded by an earlier receive, whose tasks may not have been queued.
                            sweepMarks.mark(execution, sweepAt);
                        }
                    } finally {
                        writes.release();
                    }
                    return null;
                }));
                if (!agent.pullMode()) {
                    // Queued again for a copy of the event: the delivery stage drops a task whose attempt was made.
                    tasks.add(new DeliveryTask(agent.tenant(), agent.uid(), uid, 0, now.toEpochMilli()));
                }
            }
            for (Future<?> write : written) {
                try {
                    write.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
        }
        return tasks;
    }

    /**
     * The event's own time ({@code occurred_at}) when it has one, else the time its first copy was seen:
     * the same for every copy, which keeps the execution uids, and so the executions, one per agent.
     */
    private Instant eventTime(LabelingEvent event, QueueMessage message) {
        if (event.occurredAt() != null) {
            try {
                return Instant.parse(event.occurredAt());
            } catch (DateTimeParseException notIso) {
                // Recorded by first sight instead.
            }
        }
        Instant candidate =
                message.sentTimestamp() != null ? Instant.ofEpochMilli(message.sentTimestamp()) : clock.instant();
        return executions.firstSeen(event.tenant(), event.id(), candidate);
    }
}
