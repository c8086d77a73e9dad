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
        String action,
        Map<String, Object> eventPayload,
        Map<String, Object> responsePayload,
        String errorMessage,
        int attempts,
        Instant startedAt,
        Instant completedAt,
        Instant createdAt,
        Instant updatedAt) {

    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("uid", uid);
        json.put("registration", agentUid);
        json.put("event_type", eventType);
        json.put("task", task);
        json.put("result", result);
        json.put("status", status.wire());
        json.put("action", action);
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
