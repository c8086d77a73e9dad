package ai.avala.agents.model;

import java.util.LinkedHashMap;
import java.util.Map;

/** A labeling event as producers put it on the queue; {@code id} is the producer's, used for idempotency. */
public record LabelingEvent(
        String id,
        String type,
        String tenant,
        String project,
        String taskType,
        String task,
        String result,
        String occurredAt,
        Map<String, Object> data) {

    public LabelingEvent {
        data = data == null ? Map.of() : Map.copyOf(data);
    }

    /**
     * The event as an agent receives it ({@code event_payload}): the free-form {@code data} fields, then
     * the fields pull-mode agents read ({@code task_uid}, {@code task_type}, {@code result_uid},
     * {@code project_uid}, ...) taken from the envelope.
     */
    public Map<String, Object> payload() {
        Map<String, Object> payload = new LinkedHashMap<>(data);
        payload.put("event_id", id);
        payload.put("event_type", type);
        putIfPresent(payload, "task_uid", task);
        putIfPresent(payload, "task_type", taskType);
        putIfPresent(payload, "result_uid", result);
        putIfPresent(payload, "project_uid", project);
        putIfPresent(payload, "occurred_at", occurredAt);
        return payload;
    }

    private static void putIfPresent(Map<String, Object> payload, String key, String value) {
        if (value != null) {
            payload.put(key, value);
        }
    }
}
