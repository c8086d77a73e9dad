package ai.avala.agents.dispatch;

import ai.avala.agents.catalog.EventSchemas;
import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import ai.avala.agents.model.LabelingEvent;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a labeling event from a queue message body: the plain envelope, the same wrapped in an SNS
 * notification ({@code {"Type": "Notification", "Message": "<json>"}}), or an EventBridge event
 * ({@code detail-type} is the type, {@code detail} the rest). Anything else is poison.
 */
public final class EventIntake {

    private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+");
    private static final int MAX_ID = 256;
    private static final int MAX_TENANT = 128;
    /**
     * The largest message body accepted (UTF-8 bytes). An execution stores the event and at most 20 KB of
     * the receiver's answer in one DynamoDB item (400 KB at most), with room left for its attempt history.
     */
    public static final int MAX_EVENT_BYTES = 256 * 1024;

    private EventIntake() {}

    public static LabelingEvent parse(String body) throws PoisonMessageException {
        return parse(body, null);
    }

    /**
     * Reads the event and, with {@code schemas}, checks it against the event catalog: a type the catalog does not know,
     * or an event its type's schema refuses, is poison with the reason (the field and the rule).
     */
    public static LabelingEvent parse(String body, EventSchemas schemas) throws PoisonMessageException {
        if (body != null
                && (body.length() > MAX_EVENT_BYTES
                        || body.getBytes(StandardCharsets.UTF_8).length > MAX_EVENT_BYTES)) {
            throw new PoisonMessageException(
                    "Event is larger than " + MAX_EVENT_BYTES + " bytes, the most an execution can store.");
        }
        JsonValue root = object(body, "Message body");
        if ("Notification".equals(text(root, "Type")) && root.has("Message")) {
            root = object(text(root, "Message"), "SNS Message");
        } else if (root.has("detail-type") && root.has("detail")) {
            JsonValue detail = root.get("detail");
            if (!detail.isObject()) {
                throw new PoisonMessageException("EventBridge detail is not a JSON object.");
            }
            Map<String, Object> event = new LinkedHashMap<>(detail.toMap());
            event.put("type", envelopeString(root, "detail-type"));
            if (!event.containsKey("id") && root.hasNonNull("id")) {
                event.put("id", envelopeString(root, "id"));
            }
            if (!event.containsKey("occurred_at") && root.hasNonNull("time")) {
                event.put("occurred_at", envelopeString(root, "time"));
            }
            root = Json.parse(Json.write(event));
        }
        String id = required(root, "id");
        String type = required(root, "type");
        String tenant = required(root, "tenant");
        if (tenant.length() > MAX_TENANT) {
            throw new PoisonMessageException("Event tenant is longer than " + MAX_TENANT + " characters.");
        }
        if (id.length() > MAX_ID) {
            throw new PoisonMessageException("Event id is longer than " + MAX_ID + " characters.");
        }
        if (!TYPE.matcher(type).matches() || type.length() > 100) {
            throw new PoisonMessageException(
                    "Event type \"" + abbreviate(type) + "\" is not a dotted lower-case name.");
        }
        JsonValue data = root.get("data");
        if (data != null && !data.isNull() && !data.isObject()) {
            throw new PoisonMessageException("Event data must be a JSON object.");
        }
        if (schemas != null) {
            java.util.Optional<String> problem = schemas.problem(type, root);
            if (problem.isPresent()) {
                throw new PoisonMessageException(problem.get(), true);
            }
        }
        Map<String, Object> fields = data == null || data.isNull() ? Map.of() : data.toMap();
        LabelingEvent event = new LabelingEvent(
                id,
                type,
                tenant,
                optional(root, "project"),
                optional(root, "task_type"),
                optional(root, "task"),
                optional(root, "result"),
                optional(root, "occurred_at"),
                fields);
        return schemas == null ? event : event.withPayloadFields(schemas.payloadFields(type, root));
    }

    private static JsonValue object(String text, String what) throws PoisonMessageException {
        if (text == null || text.isBlank()) {
            throw new PoisonMessageException(what + " is empty.");
        }
        JsonValue node;
        try {
            node = Json.parse(text);
        } catch (Json.MalformedJsonException e) {
            throw new PoisonMessageException(what + " is not valid JSON"
                    + (e.getMessage().contains("nested") ? " that this service reads: " + e.getMessage() : "."));
        }
        if (node == null || !node.isObject()) {
            throw new PoisonMessageException(what + " is not a JSON object.");
        }
        return node;
    }

    private static String required(JsonValue root, String field) throws PoisonMessageException {
        JsonValue node = root.get(field);
        if (node == null || node.isNull()) {
            throw new PoisonMessageException("Event has no \"" + field + "\".");
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new PoisonMessageException("Event \"" + field + "\" must be a non-empty string.");
        }
        return node.asText();
    }

    private static String optional(JsonValue root, String field) throws PoisonMessageException {
        JsonValue node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new PoisonMessageException("Event \"" + field + "\" must be a string or null.");
        }
        return node.asText();
    }

    /**
     * A string field of the EventBridge envelope, refused when it is anything else: a number there is never turned
     * into text (an 11-character exponent would expand to hundreds of MB of digits).
     */
    private static String envelopeString(JsonValue root, String field) throws PoisonMessageException {
        JsonValue node = root.get(field);
        if (!node.isTextual()) {
            throw new PoisonMessageException("EventBridge \"" + field + "\" must be a string.");
        }
        return node.asText();
    }

    private static String text(JsonValue root, String field) {
        JsonValue node = root.get(field);
        return node == null || !node.isTextual() ? null : node.asText();
    }

    private static String abbreviate(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }
}
