package ai.avala.agents.callback;

import ai.avala.agents.model.AgentDecision;
import java.time.Duration;
import java.util.Map;

/**
 * The result of one callback attempt. {@code delivered}: the receiver answered over HTTP at all;
 * {@code success}: it answered 2xx. {@code responseJson} is the answer when it is a JSON object.
 */
public record DeliveryOutcome(
        boolean delivered,
        boolean success,
        Integer statusCode,
        Map<String, Object> responseJson,
        String error,
        Duration retryAfter) {

    /** The decision an agent returned in its answer ({@code {"action": "approve", ...}}), if a known one. */
    public AgentDecision action() {
        return responseJson == null ? null : AgentDecision.fromWire(responseJson.get("action")).orElse(null);
    }
}
