package ai.avala.agents.service;

import ai.avala.agents.errors.FieldErrors;
import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The agent fields a create or update request sent, validated. Only fields in {@code present} were
 * sent; an update changes exactly those. Every problem is reported per field in one 400.
 */
public record AgentChanges(
        Set<String> present,
        String name,
        String description,
        List<String> events,
        String callbackUrl,
        Boolean active,
        String project,
        List<String> taskTypes) {

    public static final int MAX_EVENTS = 32;
    public static final int MAX_TASK_TYPES = 50;
    private static final Pattern EVENT = Pattern.compile("\\*|[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*(\\.\\*)?");
    private static final Set<String> FIELDS = Set.of(
            "name", "description", "events", "callback_url", "is_active", "project", "task_types");
    private static final String REQUIRED = "This field is required.";
    private static final String UNSAFE_CHARACTERS =
            "Must not contain control characters or bidirectional text overrides.";

    /**
     * C0 and C1 control characters (a description may have tabs and line breaks) and the bidirectional
     * overrides, isolates and marks that make a name display as something other than what it is.
     */
    static boolean hasUnsafeCharacters(String value, boolean multiline) {
        return value.chars().anyMatch(c -> (c < 0x20 && !(multiline && (c == '\t' || c == '\n' || c == '\r')))
                || (c >= 0x7f && c <= 0x9f)
                || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
                || c == 0x200e || c == 0x200f || c == 0x061c);
    }

    public boolean has(String field) {
        return present.contains(field);
    }

    /** Parses a request body; {@code creating} makes {@code name} required. */
    public static AgentChanges parse(String body, boolean creating) {
        JsonValue root = Json.parse(body);
        FieldErrors errors = FieldErrors.of("agent", root, FIELDS);
        Set<String> present = new LinkedHashSet<>();
        root.fieldNames().forEachRemaining(field -> {
            if (FIELDS.contains(field)) {
                present.add(field);
            }
        });
        String name = text(root, "name", false, 255, false, errors);
        if (creating && !present.contains("name")) {
            errors.add("name", REQUIRED);
        }
        String description = text(root, "description", true, 2000, true, errors);
        List<String> events = strings(root, "events", MAX_EVENTS, 100, errors);
        events.stream().filter(event -> !EVENT.matcher(event).matches()).findFirst().ifPresent(event -> errors.add("events",
                "Invalid event type \"" + event + "\": use lower-case dotted names such as task.completed, task.* or *."));
        String callbackUrl = text(root, "callback_url", true, 2048, false, errors);
        Boolean active = null;
        JsonValue activeNode = root.get("is_active");
        if (activeNode != null) {
            if (activeNode.isBoolean()) {
                active = activeNode.booleanValue();
            } else {
                errors.add("is_active", "Must be a boolean.");
            }
        }
        String project = text(root, "project", true, 255, false, errors);
        List<String> taskTypes = strings(root, "task_types", MAX_TASK_TYPES, 100, errors);
        errors.throwIfAny();
        return new AgentChanges(Set.copyOf(present), name, description, events, callbackUrl, active, project, taskTypes);
    }

    private static String text(JsonValue root, String field, boolean nullable, int maxLength, boolean multiline,
                               FieldErrors errors) {
        JsonValue node = root.get(field);
        if (node == null) {
            return null;
        }
        if (node.isNull()) {
            if (!nullable) {
                errors.add(field, "This field may not be null.");
            }
            return null;
        }
        if (!node.isTextual()) {
            errors.add(field, "Must be a string.");
            return null;
        }
        String value = node.textValue().strip();
        if (value.isEmpty()) {
            errors.add(field, nullable ? "May not be blank; send null instead." : "This field may not be blank.");
        } else if (value.length() > maxLength) {
            errors.add(field, "Ensure this field has no more than " + maxLength + " characters.");
        } else if (hasUnsafeCharacters(value, multiline)) {
            errors.add(field, UNSAFE_CHARACTERS);
        }
        return value;
    }

    private static List<String> strings(JsonValue root, String field, int maxItems, int maxLength,
                                        FieldErrors errors) {
        JsonValue node = root.get(field);
        if (node == null) {
            return List.of();
        }
        if (!node.isArray()) {
            errors.add(field, "Must be a list of strings.");
            return List.of();
        }
        if (node.size() > maxItems) {
            errors.add(field, "Ensure this list has no more than " + maxItems + " items.");
            return List.of();
        }
        Set<String> values = new LinkedHashSet<>();
        for (JsonValue item : node) {
            if (!item.isTextual() || item.textValue().isBlank() || item.textValue().length() > maxLength) {
                errors.add(field, "Each item must be a non-empty string of at most " + maxLength + " characters.");
                return List.of();
            }
            if (hasUnsafeCharacters(item.textValue(), false)) {
                errors.add(field, UNSAFE_CHARACTERS);
                return List.of();
            }
            values.add(item.textValue().strip());
        }
        return List.copyOf(values);
    }
}
