package ai.avala.agents.service;

import ai.avala.agents.errors.FieldErrors;
import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import java.util.Set;

/**
 * {@code POST /agents/{uid}/test/}: {@code {"event_type"?: "<a catalog type the agent matches>"}}, an empty body
 * included (the official clients send none): {@code eventType} null then.
 */
public record TestCallRequest(String eventType) {

    private static final Set<String> FIELDS = Set.of("event_type");

    public static TestCallRequest parse(String body) {
        if (body == null || body.isBlank()) {
            return new TestCallRequest(null);
        }
        JsonValue root = Json.parse(body);
        FieldErrors errors = FieldErrors.of("test call", root, FIELDS);
        JsonValue type = root.path("event_type");
        String eventType = null;
        if (!type.isMissingNode()) {
            // null is not a type: leave the field out for the default.
            if (!type.isTextual()
                    || type.textValue().isBlank()
                    || type.textValue().length() > 100) {
                errors.add("event_type", "Must be an event type name (GET /event-types/ lists them).");
            } else {
                eventType = type.textValue();
            }
        }
        errors.throwIfAny();
        return new TestCallRequest(eventType);
    }
}
