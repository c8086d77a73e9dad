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
    private static final Set<String> FIELDS =
            Set.of("name", "description", "events", "callback_url", "is_active", "project", "task_types");
    private static final String REQUIRED = "This field is required.";
    private static final String UNSAFE_CHARACTERS =
            "Must not contain control characters or bidirectional text overrides.";

    public boolean has(String field) {
        return present.contains(field);
    }

    /** The fields of a new agent: {@code name} is required. */
    public static AgentChanges forCreate(String body) {
        return parse(body, true);
    }

    /** The fields an update changes: those present. */
    public static AgentChanges forUpdate(String body) {
        return parse(body, false);
    }

    private static AgentChanges parse(String body, boolean nameRequired) {
        JsonValue root = Json.parse(body);
        FieldErrors errors = FieldErrors.of("agent", root, FIELDS);
        Set<String> present = new LinkedHashSet<>();
        root.fieldNames().forEachRemaining(field -> {
            if (FIELDS.contains(field)) {
                present.add(field);
            }
        });
        String name = stripped(text(root, "name", false, 255, false, errors));
        if (nameRequired && !present.contains("name")) {
            errors.add("name", REQUIRED);
        }
        String description = stripped(text(root, "description", true, 2000, true, errors));
        List<String> events = strings(root, "events", MAX_EVENTS, 100, false, errors);
        events.stream()
                .filter(event -> !EVENT.matcher(event).matches())
                .findFirst()
                .ifPresent(event -> errors.add(
                        "events",
                        "Invalid event type \"" + event
                                + "\": use lower-case dotted names such as task.completed, task.* or *."));
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
        String project = stripped(text(root, "project", true, 255, false, errors));
        List<String> taskTypes = strings(root, "task_types", MAX_TASK_TYPES, 100, true, errors);
        errors.throwIfAny();
        return new AgentChanges(
                Set.copyOf(present), name, description, events, callbackUrl, active, project, taskTypes);
    }

    private static String stripped(String value) {
        return value == null ? null : TextRules.strip(value);
    }

    /** A string field as sent (null when absent or null), checked: length, unsafe characters, not blank. */
    private static String text(
            JsonValue root, String field, boolean nullable, int maxLength, boolean multiline, FieldErrors errors) {
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
        String value = node.textValue();
        if (TextRules.length(value) > maxLength) {
            errors.add(field, "Ensure this field has no more than " + maxLength + " characters.");
        } else if (TextRules.hasUnsafeCharacters(value, multiline)) {
            errors.add(field, UNSAFE_CHARACTERS);
        } else if (TextRules.isBlank(value)) {
            errors.add(field, nullable ? "May not be blank; send null instead." : "This field may not be blank.");
        }
        return value;
    }

    /** A list of strings; {@code strip}: drop each item's leading and trailing blanks (else items are kept as sent). */
    private static List<String> strings(
            JsonValue root, String field, int maxItems, int maxLength, boolean strip, FieldErrors errors) {
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
            if (!item.isTextual()
                    || TextRules.isBlank(item.textValue())
                    || TextRules.length(item.textValue()) > maxLength) {
                errors.add(field, "Each item must be a non-blank string of at most " + maxLength + " characters.");
                return List.of();
            }
            if (TextRules.hasUnsafeCharacters(item.textValue(), false)) {
                errors.add(field, UNSAFE_CHARACTERS);
                return List.of();
            }
            values.add(strip ? TextRules.strip(item.textValue()) : item.textValue());
        }
        return List.copyOf(values);
    }
}
