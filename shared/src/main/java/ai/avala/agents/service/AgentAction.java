package ai.avala.agents.service;

import ai.avala.agents.errors.FieldErrors;
import ai.avala.agents.ids.Ids;
import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import ai.avala.agents.model.AgentDecision;
import java.util.Optional;
import java.util.Set;

/** A pull-mode agent's decision on one execution: {@code {"execution", "action", "reason"?}}. */
public record AgentAction(String execution, AgentDecision decision, String reason) {

    private static final Set<String> FIELDS = Set.of("execution", "action", "reason");

    public static AgentAction parse(String body) {
        JsonValue root = Json.parse(body);
        FieldErrors errors = FieldErrors.of("action", root, FIELDS);
        String execution = root.path("execution").textValue();
        if (execution == null || execution.isBlank()) {
            errors.add("execution", "This field is required: the uid of the execution.");
        } else if (!Ids.isExecutionUid(execution)) {
            errors.add("execution", "Not an execution uid: expected exec_ followed by 26 letters and digits.");
        }
        Optional<AgentDecision> decision =
                AgentDecision.fromWire(root.path("action").textValue());
        if (decision.isEmpty()) {
            errors.add("action", "Must be one of " + AgentDecision.choices() + ".");
        }
        JsonValue reason = root.path("reason");
        if (!reason.isMissingNode()
                && !reason.isNull()
                && (!reason.isTextual()
                        || reason.asText().codePointCount(0, reason.asText().length()) > 2000)) {
            errors.add("reason", "Must be a string of at most 2000 characters, or null.");
        }
        errors.throwIfAny();
        return new AgentAction(execution, decision.orElseThrow(), reason.textValue());
    }
}
