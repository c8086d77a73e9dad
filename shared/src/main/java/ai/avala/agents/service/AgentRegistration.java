package ai.avala.agents.service;

import ai.avala.agents.model.Agent;

/**
 * What {@code POST /agents/} did: created an agent (its answer is the only one that shows the signing secret),
 * or registered again the tenant's pull-mode agent of that name (a worker that restarted keeps its agent).
 */
public sealed interface AgentRegistration {

    Agent agent();

    /** A new agent, counted in the tenant's quota. */
    record Created(Agent agent) implements AgentRegistration {}

    /** The tenant's pull-mode agent of that name, its subscriptions replaced by what was sent. */
    record Registered(Agent agent) implements AgentRegistration {}
}
