package ai.avala.agents.catalog;

import ai.avala.agents.json.JsonValue;
import java.util.Map;

/**
 * One type of the event catalog, as its file in {@code event-types/} says: its name, what it means, the JSON Schema of
 * the event as producers send it (the plain envelope: {@code id}, {@code type}, {@code tenant}, {@code task}, ...,
 * {@code data}), an example that validates against it, whether it is deprecated, and {@code payload}: which
 * {@code event_payload} keys come from which field of the event (a JSON Pointer into it), beyond the envelope's
 * own.
 */
public record EventType(
        String name,
        String description,
        boolean deprecated,
        JsonValue schema,
        JsonValue example,
        Map<String, String> payload) {

    public EventType {
        payload = Map.copyOf(payload);
    }

    /**
     * The {@code event_payload} fields this type maps from {@code envelope} (its {@code payload} pointers), those
     * present as text or numbers.
     */
    public Map<String, Object> payloadFields(JsonValue envelope) {
        Map<String, Object> fields = new java.util.LinkedHashMap<>();
        payload.forEach((key, pointer) -> {
            JsonValue value = envelope;
            for (String segment :
                    pointer.substring(pointer.startsWith("/") ? 1 : 0).split("/")) {
                value = value == null || !value.isObject() ? null : value.get(segment);
            }
            if (value != null && (value.isTextual() || value.isNumber())) {
                fields.put(key, value.toJava());
            }
        });
        return fields;
    }

    /** The family of a type name: {@code task} of {@code task.completed}. */
    public static String family(String name) {
        int dot = name.indexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }
}
