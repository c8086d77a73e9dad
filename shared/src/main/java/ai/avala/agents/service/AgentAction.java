package ai.avala.agents.service;

import ai.avala.agents.api.ApiException;
import ai.avala.agents.callback.CallbackDelivery;
import ai.avala.agents.ids.Ids;
import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** A pull-mode agent's decision on one execution: {@code {"execution", "action", "reason"?}}. */
public record AgentAction(String execution, String action, String reason) {

    private static final Set<String> FIELDS = Set.of("execution", "action", "reason");

    public static AgentAction parse(String body) {
        JsonValue root = Json.parse(body);
        if (!root.isObject()) {
            throw ApiException.badRequest("Request body must be a JSON object.");
        }
        Map<String, List<String>> errors = new LinkedHashMap<>();
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!FIELDS.contains(field)) {
                errors.put(field.length() > 64 ? field.substring(0, 64) : field, List.of("Unknown field."));
            }
        }
        JsonValue execution = root.get("execution");
        if (execution == null || !execution.isTextual() || execution.asText().isBlank()) {
            errors.put("execution", List.of("This field is required: the uid of the execution."));
        } else if (!Ids.isExecutionUid(execution.asText())) {
            errors.put("execution", List.of("Not an execution uid: expected exec_ followed by 26 letters and digits."));
        }
        JsonValue action = root.get("action");
        if (action == null || !action.isTextual() || !CallbackDelivery.ACTIONS.contains(action.asText())) {
            errors.put("action", List.of("Must be one of " + String.join(", ", new TreeSet<>(CallbackDelivery.ACTIONS)) + "."));
        }
        JsonValue reason = root.get("reason");
        if (reason != null && !reason.isNull() && (!reason.isTextual() || reason.asText().length() > 2000)) {
            errors.put("reason", List.of("Must be a string of at most 2000 characters, or null."));
        }
        if (!errors.isEmpty()) {
            StringBuilder detail = new StringBuilder("Invalid action: ");
            errors.forEach((field, messages) -> detail.append(detail.length() > 16 ? "; " : "")
                    .append(field).append(": ").append(messages.get(0)));
            throw ApiException.invalid(detail.toString(), errors);
        }
        return new AgentAction(execution.asText(), action.asText(), reason == null || reason.isNull() ? null : reason.asText());
    }
}
