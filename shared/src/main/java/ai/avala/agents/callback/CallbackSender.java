package ai.avala.agents.callback;

import java.util.Map;

/** Sends one signed callback and says how it went; {@link CallbackDelivery} is the real one. */
@FunctionalInterface
public interface CallbackSender {

    DeliveryOutcome send(String callbackUrl, String secret, String executionUid, String eventType,
                         String agentUid, Map<String, Object> data);
}
