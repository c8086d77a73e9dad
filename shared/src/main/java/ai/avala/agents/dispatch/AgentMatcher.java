package ai.avala.agents.dispatch;

import ai.avala.agents.model.Agent;
import ai.avala.agents.model.LabelingEvent;
import ai.avala.agents.store.AgentStore;
import ai.avala.agents.store.SubscriptionIndex;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The agents an event must reach, found by key lookups only: the subscription items of the event's
 * tenant for its exact type, each wildcard family of it ({@code task.*}) and {@code *}, then the agents
 * themselves, kept if active and if their project and task-type filters admit the event.
 */
public final class AgentMatcher {

    private final SubscriptionIndex subscriptions;
    private final AgentStore agents;

    public AgentMatcher(SubscriptionIndex subscriptions, AgentStore agents) {
        this.subscriptions = subscriptions;
        this.agents = agents;
    }

    public List<Agent> match(LabelingEvent event) {
        Set<String> uids = new LinkedHashSet<>();
        for (String key : subscriptionKeys(event.type())) {
            uids.addAll(subscriptions.agentsFor(event.tenant(), key));
        }
        if (uids.isEmpty()) {
            return List.of();
        }
        return agents.findAll(event.tenant(), uids).stream()
                .filter(agent -> admits(agent, event))
                .toList();
    }

    /** {@code a.b.c} is subscribed to as {@code a.b.c}, {@code a.b.*}, {@code a.*} and {@code *}. */
    static List<String> subscriptionKeys(String type) {
        List<String> keys = new ArrayList<>();
        keys.add(type);
        for (int dot = type.lastIndexOf('.'); dot > 0; dot = type.lastIndexOf('.', dot - 1)) {
            keys.add(type.substring(0, dot) + ".*");
        }
        keys.add("*");
        return keys;
    }

    static boolean admits(Agent agent, LabelingEvent event) {
        return agent.active()
                && (agent.project() == null || agent.project().equals(event.project()))
                && (agent.taskTypes().isEmpty()
                        || (event.taskType() != null && agent.taskTypes().contains(event.taskType())));
    }
}
