package ai.avala.agents.delivery;

import ai.avala.agents.aws.AwsFailures;
import ai.avala.agents.json.Timestamps;
import ai.avala.agents.log.Log;
import ai.avala.agents.metrics.Metrics;
import ai.avala.agents.model.Agent;
import ai.avala.agents.store.AgentStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Switches off an agent whose callbacks have all failed for {@code AUTO_DISABLE_AFTER_HOURS} with no success
 * in between. The agent's item says since when its callbacks fail ({@code failing_since}); that is written
 * on a change only (the first failure after a success, the first success after failures), so a healthy or a
 * steadily failing agent costs no write per delivery.
 */
final class FailureStreaks {

    static final String AUTO_DISABLED_METRIC = "AgentsAutoDisabled";
    private static final Log LOG = Log.of(FailureStreaks.class);
    private final AgentStore agents;
    private final Duration disableAfter;

    FailureStreaks(AgentStore agents, Duration disableAfter) {
        this.agents = agents;
        this.disableAfter = disableAfter;
    }

    void succeeded(Agent agent) {
        if (agent.failingSince() != null) {
            bestEffort(agent, () -> agents.markHealthy(agent.tenant(), agent.uid()));
        }
    }

    /**
     * A streak write comes after the callback: when its dependency fails, the streak is written by a later
     * delivery rather than the callback made again (the execution's outcome is what must be recorded).
     */
    private static void bestEffort(Agent agent, Runnable write) {
        try {
            write.run();
        } catch (RuntimeException e) {
            if (!AwsFailures.isTransient(e)) {
                throw e;
            }
            LOG.warn(
                    "The failure streak of an agent was not written; a later delivery writes it",
                    e,
                    "tenant",
                    agent.tenant(),
                    "agent",
                    agent.uid());
        }
    }

    /** Records a failed attempt at {@code now}; the reason the agent was switched off, if this switched it off. */
    Optional<String> failed(Agent agent, Instant now) {
        if (agent.failingSince() == null) {
            bestEffort(agent, () -> agents.markFailing(agent.tenant(), agent.uid(), now));
            return Optional.empty();
        }
        if (Duration.between(agent.failingSince(), now).compareTo(disableAfter) < 0) {
            return Optional.empty();
        }
        String reason = "Every callback failed for " + disableAfter.toHours() + " hours (since "
                + Timestamps.format(agent.failingSince()) + ") with no success; switched off automatically.";
        if (!disable(agent, reason, now, agent.failingSince())) {
            return Optional.empty();
        }
        LOG.warn(
                "Agent switched off after failing for " + disableAfter.toHours() + " hours",
                null,
                "tenant",
                agent.tenant(),
                "agent",
                agent.uid());
        Metrics.count(AUTO_DISABLED_METRIC, 1);
        return Optional.of(reason);
    }

    /** Switches the agent off because its receiver answered 410 Gone; true if this call did. */
    boolean gone(Agent agent, Instant now) {
        return disable(agent, "Its callback answered 410 Gone.", now, null);
    }

    /** Switches the agent off; with {@code judgedStreak}, only if that failure streak still stands. */
    private boolean disable(Agent agent, String reason, Instant now, Instant judgedStreak) {
        boolean[] disabled = {false};
        bestEffort(agent, () -> disabled[0] = agents.disable(agent.tenant(), agent.uid(), reason, now, judgedStreak));
        return disabled[0];
    }
}
