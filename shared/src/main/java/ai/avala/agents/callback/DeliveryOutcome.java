package ai.avala.agents.callback;

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
    public String action() {
        Object action = responseJson == null ? null : responseJson.get("action");
        return action instanceof String value && CallbackDelivery.ACTIONS.contains(value) ? value : null;
    }
}
