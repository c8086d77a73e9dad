package ai.avala.agents.callback;

import ai.avala.agents.model.AgentDecision;
import java.time.Duration;
import java.util.Map;

/** What one callback attempt came to: the receiver answered 2xx, answered otherwise, or gave no HTTP answer. */
public sealed interface CallbackOutcome {

    /** A 2xx answer; {@code responseJson} is its body when that is a JSON object that fits the cap, else null. */
    record Succeeded(int status, Map<String, Object> responseJson) implements CallbackOutcome {}

    /** Any other status (a redirect, an error); {@code retryAfter} is its {@code Retry-After}, if any. */
    record Refused(int status, Map<String, Object> responseJson, String error, Duration retryAfter)
            implements CallbackOutcome {}

    /** No HTTP answer: the URL was refused, or the connection failed, timed out or did not speak HTTP. */
    record Unanswered(String error) implements CallbackOutcome {}

    /** The HTTP status, or null when the receiver never answered over HTTP. */
    default Integer statusCode() {
        return switch (this) {
            case Succeeded succeeded -> succeeded.status();
            case Refused refused -> refused.status();
            case Unanswered unanswered -> null;
        };
    }

    /** The answer's JSON object body, or null. */
    default Map<String, Object> responseJson() {
        return null;
    }

    /** Why the attempt failed (safe to store and show), or null for a success. */
    default String error() {
        return null;
    }

    /** The decision an agent returned in its answer ({@code {"action": "approve", ...}}), if a known one. */
    default AgentDecision action() {
        Map<String, Object> json = responseJson();
        return json == null ? null : AgentDecision.fromWire(json.get("action")).orElse(null);
    }
}
