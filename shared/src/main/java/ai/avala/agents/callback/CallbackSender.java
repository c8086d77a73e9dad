package ai.avala.agents.callback;

import java.util.List;
import java.util.Map;

/**
 * Sends one callback, signed with each of {@code secrets} (the agent's current secret, and its previous one
 * while a rotation's overlap lasts), and says how it went; {@link CallbackDelivery} is the real one.
 */
@FunctionalInterface
public interface CallbackSender {

    CallbackOutcome send(
            String callbackUrl,
            List<String> secrets,
            String executionUid,
            String eventType,
            String agentUid,
            Map<String, Object> data);

    /** A test call ({@code POST /agents/{uid}/test/}): as {@link #send}, its envelope marked {@code "test": true}. */
    default CallbackOutcome sendTest(
            String callbackUrl,
            List<String> secrets,
            String executionUid,
            String eventType,
            String agentUid,
            Map<String, Object> data) {
        return send(callbackUrl, secrets, executionUid, eventType, agentUid, data);
    }
}
