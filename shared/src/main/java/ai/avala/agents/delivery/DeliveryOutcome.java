package ai.avala.agents.delivery;

import java.util.Locale;

/** How one delivery task ended, as the {@code Outcome} dimension of the {@code Deliveries} metric says it. */
public enum DeliveryOutcome {
    /** The receiver answered 2xx. */
    SUCCESS,
    /** The attempt failed and the next one is queued. */
    RETRYING,
    /** The attempt failed and no other follows (attempts used up, 410 Gone, the agent switched off). */
    FAILED,
    /** No attempt could be made (the agent was deleted, deactivated or switched to pull mode). */
    SKIPPED;

    public String metricValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
