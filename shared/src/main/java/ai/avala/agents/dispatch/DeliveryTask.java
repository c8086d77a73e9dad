package ai.avala.agents.dispatch;

import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * "Attempt execution X of agent A, which has had {@code attemptsMade} attempts, not before {@code dueMillis}":
 * one message on the deliveries queue. The matching stage sends the first (attempts made: 0); a failed
 * attempt sends the next, delayed. A copy of a task whose attempt was made already finds the execution
 * moved on and does nothing.
 */
public record DeliveryTask(
        String tenant, String agent, String execution, int attemptsMade, long dueMillis, int transientRetries) {

    public DeliveryTask(String tenant, String agent, String execution, int attemptsMade, long dueMillis) {
        this(tenant, agent, execution, attemptsMade, dueMillis, 0);
    }

    public String toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("tenant", tenant);
        json.put("agent", agent);
        json.put("execution", execution);
        json.put("attempts_made", attemptsMade);
        json.put("due_millis", dueMillis);
        if (transientRetries > 0) {
            json.put("transient_retries", transientRetries);
        }
        return Json.write(json);
    }

    /** The task of attempt {@code attempts + 1}, due at {@code due} (a deferral keeps its transient retries). */
    public DeliveryTask next(int attempts, long due) {
        return new DeliveryTask(
                tenant, agent, execution, attempts, due, attempts == attemptsMade ? transientRetries : 0);
    }

    /** This task again, due at {@code due}, after a dependency failed it before its attempt was recorded. */
    public DeliveryTask afterTransientFailure(long due) {
        return new DeliveryTask(tenant, agent, execution, attemptsMade, due, transientRetries + 1);
    }

    public static DeliveryTask parse(String body) throws PoisonMessageException {
        JsonValue node;
        try {
            node = Json.parse(body == null ? "" : body);
        } catch (Json.MalformedJsonException e) {
            throw new PoisonMessageException("Delivery task is not valid JSON.");
        }
        if (!node.path("tenant").isTextual()
                || !node.path("agent").isTextual()
                || !node.path("execution").isTextual()
                || !node.path("attempts_made").canConvertToInt()
                || !node.path("due_millis").canConvertToLong()) {
            throw new PoisonMessageException(
                    "Delivery task lacks tenant, agent, execution, attempts_made or due_millis.");
        }
        return new DeliveryTask(
                node.get("tenant").asText(),
                node.get("agent").asText(),
                node.get("execution").asText(),
                node.get("attempts_made").asInt(),
                node.get("due_millis").asLong(),
                node.path("transient_retries").canConvertToInt()
                        ? node.path("transient_retries").asInt()
                        : 0);
    }
}
