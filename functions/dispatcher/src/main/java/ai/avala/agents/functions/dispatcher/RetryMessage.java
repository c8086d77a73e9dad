package ai.avala.agents.functions.dispatcher;

import ai.avala.agents.dispatch.PoisonMessageException;
import ai.avala.agents.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** "Try execution X of agent A again, not before {@code dueMillis}": the dispatcher's own delayed message. */
record RetryMessage(String tenant, String agent, String execution, long dueMillis) {

    static final String TYPE_ATTRIBUTE = "avala-message-type";
    static final String TYPE = "callback-retry";

    String toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("tenant", tenant);
        json.put("agent", agent);
        json.put("execution", execution);
        json.put("due_millis", dueMillis);
        return Json.write(json);
    }

    static RetryMessage parse(String body) throws PoisonMessageException {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(body);
        } catch (java.io.IOException e) {
            throw new PoisonMessageException("Retry message is not valid JSON.");
        }
        if (node == null || !node.path("tenant").isTextual() || !node.path("agent").isTextual()
                || !node.path("execution").isTextual() || !node.path("due_millis").canConvertToLong()) {
            throw new PoisonMessageException("Retry message lacks tenant, agent, execution or due_millis.");
        }
        return new RetryMessage(node.get("tenant").asText(), node.get("agent").asText(), node.get("execution").asText(),
                node.get("due_millis").asLong());
    }
}
