package ai.avala.agents.model;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** One call (or pending call, in pull mode) of an agent for one event. */
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
        Instant updatedAt) {

    /**
     * The execution of {@code event} for an agent, as the matching stage records it: {@code running} until its
     * callback is made, or {@code pending} for a pull-mode agent, which decides itself.
     */
    public static Execution started(String uid, String agentUid, String tenant, LabelingEvent event, boolean pullMode,
                                    Instant now) {
        return new Execution(uid, agentUid, tenant, event.id(), event.type(), event.task(), event.result(),
                pullMode ? ExecutionStatus.PENDING : ExecutionStatus.RUNNING, null, event.payload(), null, null, 0, null, null,
                now, now);
    }

    /** A test callback, made and answered (or not) between {@code started} and {@code finished}. */
    public static Execution tested(String uid, String agentUid, String tenant, Map<String, Object> payload, boolean success,
                                   AgentDecision action, Map<String, Object> response, String error, Instant started,
                                   Instant finished) {
        return new Execution(uid, agentUid, tenant, "test:" + uid, "agent.test", null, null,
                success ? ExecutionStatus.SUCCESS : ExecutionStatus.FAILED, action, payload, response, error, 1, started,
                finished, started, finished);
    }

    /** An attempt that failed and will be retried: still running, {@code attempts} made, the error kept. */
    public Execution attemptFailed(int attempts, String error, Instant now) {
        return new Execution(uid, agentUid, tenant, eventId, eventType, task, result, ExecutionStatus.RUNNING, action,
                eventPayload, responsePayload, error, attempts, startedAt == null ? now : startedAt, null, createdAt, now);
    }

    /** The outcome of the last attempt made: {@code success} or {@code failed}, with what the receiver answered. */
    public Execution finished(ExecutionStatus outcome, int attempts, AgentDecision decision, Map<String, Object> response,
                              String error, Instant now) {
        return new Execution(uid, agentUid, tenant, eventId, eventType, task, result, outcome, decision, eventPayload,
                response, error, attempts, startedAt == null ? now : startedAt, now, createdAt, now);
    }

    /** A pull-mode agent's decision: the pending execution succeeds with it. */
    public Execution decided(AgentDecision decision, String reason, Instant now) {
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("reason", reason);
        return new Execution(uid, agentUid, tenant, eventId, eventType, task, result, ExecutionStatus.SUCCESS, decision,
                eventPayload, response, null, attempts + 1, createdAt, now, createdAt, now);
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
        json.put("started_at", Timestamps.format(startedAt));
        json.put("completed_at", Timestamps.format(completedAt));
        json.put("created_at", Timestamps.format(createdAt));
        json.put("updated_at", Timestamps.format(updatedAt));
        return json;
    }
}
