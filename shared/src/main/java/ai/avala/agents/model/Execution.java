package ai.avala.agents.model;

import ai.avala.agents.json.Timestamps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One call (or pending call, in pull mode) of an agent for one event. {@code attempts} counts every callback
 * attempt made; {@code attemptHistory} keeps the last {@value #HISTORY_SIZE} of them; {@code nextAttemptAt} is
 * set while another attempt is due.
 */
public record Execution(
        String uid,
        String agentUid,
        String tenant,
        String eventId,
        String eventType,
        String task,
        String result,
        ExecutionStatus status,
        AgentDecision action,
        Map<String, Object> eventPayload,
        Map<String, Object> responsePayload,
        String errorMessage,
        int attempts,
        Instant startedAt,
        Instant completedAt,
        Instant createdAt,
        Instant updatedAt,
        List<Attempt> attemptHistory,
        Instant nextAttemptAt) {

    public static final int HISTORY_SIZE = 10;

    /** This execution with the event's payload (read from where it is stored apart, see {@code EventPayloads}). */
    public Execution withEventPayload(Map<String, Object> payload) {
        return new Execution(
                uid,
                agentUid,
                tenant,
                eventId,
                eventType,
                task,
                result,
                status,
                action,
                payload,
                responsePayload,
                errorMessage,
                attempts,
                startedAt,
                completedAt,
                createdAt,
                updatedAt,
                attemptHistory,
                nextAttemptAt);
    }

    /** The event type of a test call's execution ({@code POST /agents/{uid}/test/}): never replayed. */
    public static final String TEST_EVENT_TYPE = "agent.test";

    /** How a test call's execution is marked: its {@code event_id} starts so (its type is the type it sent). */
    public static final String TEST_EVENT_PREFIX = "test:";

    public Execution {
        attemptHistory = attemptHistory == null ? List.of() : List.copyOf(attemptHistory);
    }

    /**
     * The execution of {@code event} for an agent, as the matching stage records it: {@code running} until its
     * callback is made, or {@code pending} for a pull-mode agent, which decides itself.
     */
    public static Execution started(
            String uid, String agentUid, String tenant, LabelingEvent event, boolean pullMode, Instant now) {
        return new Execution(
                uid,
                agentUid,
                tenant,
                event.id(),
                event.type(),
                event.task(),
                event.result(),
                pullMode ? ExecutionStatus.PENDING : ExecutionStatus.RUNNING,
                null,
                event.payload(),
                null,
                null,
                0,
                null,
                null,
                now,
                now,
                List.of(),
                pullMode ? null : now);
    }

    /** A test callback, made and answered (or not) between {@code started} and {@code finished}. */
    public static Execution tested(
            String uid,
            String agentUid,
            String tenant,
            String eventType,
            Map<String, Object> payload,
            boolean success,
            AgentDecision action,
            Map<String, Object> response,
            Attempt attempt,
            Instant finished) {
        return new Execution(
                uid,
                agentUid,
                tenant,
                TEST_EVENT_PREFIX + uid,
                eventType,
                null,
                null,
                success ? ExecutionStatus.SUCCESS : ExecutionStatus.FAILED,
                action,
                payload,
                response,
                attempt.error(),
                1,
                attempt.startedAt(),
                finished,
                attempt.startedAt(),
                finished,
                List.of(attempt),
                null);
    }

    /** {@code attempt} failed and another is due at {@code nextAttemptAt}: still running, the error kept. */
    public Execution attemptFailed(Attempt attempt, String error, Instant nextAttemptAt, Instant now) {
        return new Execution(
                uid,
                agentUid,
                tenant,
                eventId,
                eventType,
                task,
                result,
                ExecutionStatus.RUNNING,
                action,
                eventPayload,
                responsePayload,
                error,
                attempt.attempt(),
                startedAt == null ? attempt.startedAt() : startedAt,
                null,
                createdAt,
                now,
                historyWith(attempt),
                nextAttemptAt);
    }

    /**
     * The outcome of the last attempt made: {@code success} or {@code failed}, with what the receiver answered;
     * {@code attempt} is null when the execution ends without one (its agent was deleted or switched off).
     */
    public Execution finished(
            ExecutionStatus outcome,
            Attempt attempt,
            AgentDecision decision,
            Map<String, Object> response,
            String error,
            Instant now) {
        int made = attempt == null ? attempts : attempt.attempt();
        Instant firstStarted = startedAt != null ? startedAt : attempt != null ? attempt.startedAt() : now;
        return new Execution(
                uid,
                agentUid,
                tenant,
                eventId,
                eventType,
                task,
                result,
                outcome,
                decision,
                eventPayload,
                response,
                error,
                made,
                firstStarted,
                now,
                createdAt,
                now,
                attempt == null ? attemptHistory : historyWith(attempt),
                null);
    }

    /** Sent again on request: running until the new attempt ends, its earlier outcome kept until then. */
    public Execution redelivered(Instant now) {
        return new Execution(
                uid,
                agentUid,
                tenant,
                eventId,
                eventType,
                task,
                result,
                ExecutionStatus.RUNNING,
                action,
                eventPayload,
                responsePayload,
                errorMessage,
                attempts,
                startedAt,
                null,
                createdAt,
                now,
                attemptHistory,
                now);
    }

    private List<Attempt> historyWith(Attempt attempt) {
        List<Attempt> history = new ArrayList<>(attemptHistory);
        history.add(attempt);
        return history.subList(Math.max(0, history.size() - HISTORY_SIZE), history.size());
    }

    /** A pull-mode agent's decision: the pending execution succeeds with it. */
    public Execution decided(AgentDecision decision, String reason, Instant now) {
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("reason", reason);
        return new Execution(
                uid,
                agentUid,
                tenant,
                eventId,
                eventType,
                task,
                result,
                ExecutionStatus.SUCCESS,
                decision,
                eventPayload,
                response,
                null,
                Math.max(attempts, 1), // the claims counted the attempts; an unclaimed decision is the first
                createdAt,
                now,
                createdAt,
                now,
                attemptHistory,
                null);
    }

    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("uid", uid);
        json.put("registration", agentUid);
        json.put("event_type", eventType);
        json.put("task", task);
        json.put("result", result);
        json.put("status", status.wire());
        json.put("action", action == null ? null : action.wire());
        json.put("event_payload", eventPayload);
        json.put("response_payload", responsePayload);
        json.put("error_message", errorMessage);
        json.put("attempts", attempts);
        json.put("attempt_history", attemptHistory.stream().map(Attempt::toJson).toList());
        json.put("next_attempt_at", Timestamps.format(nextAttemptAt));
        json.put("started_at", Timestamps.format(startedAt));
        json.put("completed_at", Timestamps.format(completedAt));
        json.put("created_at", Timestamps.format(createdAt));
        json.put("updated_at", Timestamps.format(updatedAt));
        return json;
    }
}
