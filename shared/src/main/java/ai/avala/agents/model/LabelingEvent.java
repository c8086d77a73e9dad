package ai.avala.agents.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A labeling event as producers put it on the queue; {@code id} is the producer's, used for idempotency.
 * {@code payloadFields}: what the event catalog maps from the type's fields into {@code event_payload} beyond the
 * envelope's own ({@code dataset_uid}, {@code export_uid}, ...), for pull-mode agents.
 */
public record LabelingEvent(
        String id,
        String type,
        String tenant,
        String project,
        String taskType,
        String task,
        String result,
        String occurredAt,
        Map<String, Object> data,
        Map<String, Object> payloadFields) {

    public LabelingEvent {
        data = data == null ? Map.of() : Map.copyOf(data);
        payloadFields = payloadFields == null ? Map.of() : Map.copyOf(payloadFields);
    }

    public LabelingEvent(
            String id,
            String type,
            String tenant,
            String project,
            String taskType,
            String task,
            String result,
            String occurredAt,
            Map<String, Object> data) {
        this(id, type, tenant, project, taskType, task, result, occurredAt, data, Map.of());
    }

    /** This event with the catalog's payload fields. */
    public LabelingEvent withPayloadFields(Map<String, Object> fields) {
        return new LabelingEvent(id, type, tenant, project, taskType, task, result, occurredAt, data, fields);
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
        payloadFields.forEach(payload::putIfAbsent);
        return payload;
    }

    private static void putIfPresent(Map<String, Object> payload, String key, String value) {
        if (value != null) {
            payload.put(key, value);
        }
    }
}
