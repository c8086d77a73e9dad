package ai.avala.agents.service;

import ai.avala.agents.callback.CallbackSigner;
import ai.avala.agents.callback.UnsafeUrlException;
import ai.avala.agents.callback.UrlGuard;
import ai.avala.agents.catalog.EventCatalog;
import ai.avala.agents.errors.ConflictException;
import ai.avala.agents.errors.FieldErrors;
import ai.avala.agents.errors.InvalidInputException;
import ai.avala.agents.errors.NotFoundException;
import ai.avala.agents.ids.Ids;
import ai.avala.agents.json.Timestamps;
import ai.avala.agents.model.Agent;
import ai.avala.agents.model.Execution;
import ai.avala.agents.model.ExecutionStatus;
import ai.avala.agents.store.AgentStore;
import ai.avala.agents.store.ExecutionLog;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The agents API's operations on one agent or execution, each scoped to the caller's tenant (the listings are
 * {@link AgentListings}, the test call {@link AgentTestCalls}).
 */
public final class AgentService {

    /** Tries of a registration that other registrations of the same name keep overtaking. */
    private static final int REGISTRATION_TRIES = 5;

    private final AgentStore agents;
    private final ExecutionLog executions;
    private final UrlGuard urls;
    private final EventCatalog catalog;
    private final Clock clock;
    private final int maxAgentsPerTenant;

    public AgentService(
            AgentStore agents,
            ExecutionLog executions,
            UrlGuard urls,
            EventCatalog catalog,
            Clock clock,
            int maxAgentsPerTenant) {
        this.catalog = catalog;
        this.agents = agents;
        this.executions = executions;
        this.urls = urls;
        this.clock = clock;
        this.maxAgentsPerTenant = maxAgentsPerTenant;
    }

    /**
     * Creates an agent; or, for a pull-mode agent (no {@code callback_url}) whose name is that of one of the
     * tenant's pull-mode agents, registers that one again: its {@code events}, {@code project} and
     * {@code task_types} become what was sent (absent: none), its {@code description} too when sent, and
     * nothing else changes (not {@code is_active}: a worker's restart does not switch on an agent an operator
     * switched off). Registrations racing for a new name make one agent; the others register it.
     */
    public AgentRegistration register(String tenant, AgentChanges fields) {
        checkCallbackUrl(fields.callbackUrl());
        if (fields.callbackUrl() != null) {
            catalog.checkSubscriptions(fields.events(), List.of());
            return new AgentRegistration.Created(create(tenant, fields));
        }
        for (int attempt = 1; ; attempt++) {
            Optional<Agent> named = agents.findPullModeNamed(tenant, fields.name());
            // A worker registering again sends the types it subscribed to before: those pass as stored.
            catalog.checkSubscriptions(fields.events(), named.map(Agent::events).orElse(List.of()));
            if (named.isPresent()) {
                return new AgentRegistration.Registered(registerAgain(named.get(), fields));
            }
            try {
                return new AgentRegistration.Created(create(tenant, fields));
            } catch (AgentStore.PullNameTakenException raced) {
                if (attempt == REGISTRATION_TRIES) {
                    throw new ConflictException("The agent was registered by another request; please retry.");
                }
            }
        }
    }

    /** The pull-mode agent with what a registration sends; unchanged (no write) when it already says so. */
    private Agent registerAgain(Agent named, AgentChanges fields) {
        Agent current = named;
        for (int attempt = 1; ; attempt++) {
            Agent registered = current.edited(
                    current.name(),
                    fields.has("description") ? fields.description() : current.description(),
                    fields.events(),
                    null,
                    current.active(),
                    fields.project(),
                    fields.taskTypes(),
                    laterThan(current.updatedAt()));
            if (registered.events().equals(current.events())
                    && java.util.Objects.equals(registered.project(), current.project())
                    && registered.taskTypes().equals(current.taskTypes())
                    && java.util.Objects.equals(registered.description(), current.description())) {
                return current;
            }
            try {
                agents.update(current, registered);
                return registered;
            } catch (ConflictException changed) {
                // Another registration or update moved it first: apply this one to what it wrote.
                if (attempt == REGISTRATION_TRIES) {
                    throw changed;
                }
                current = agents.find(current.tenant(), current.uid()).orElseThrow(NotFoundException::new);
            }
        }
    }

    private Agent create(String tenant, AgentChanges fields) {
        Instant now = Timestamps.now(clock);
        Agent agent = Agent.created(
                tenant,
                Ids.agentUid(),
                fields.name(),
                fields.description(),
                fields.events(),
                fields.callbackUrl(),
                fields.active() == null || fields.active(),
                fields.project(),
                fields.taskTypes(),
                CallbackSigner.newSecret(),
                now);
        try {
            agents.create(agent, maxAgentsPerTenant);
        } catch (AgentStore.QuotaExceededException e) {
            // 400, not 429: waiting does not help, and the clients retry a 429.
            throw new InvalidInputException("This tenant already has " + maxAgentsPerTenant
                    + " agents, the most it may have; delete one first.");
        }
        return agent;
    }

    public Agent get(String tenant, String uid) {
        return agents.find(tenant, uid).orElseThrow(NotFoundException::new);
    }

    /**
     * The agent as configured, without its statistics: one GetItem of the agent's item, not a Query of it and its
     * statistics item, for the operations that do not answer with the agent (test, rotate the secret, delete).
     */
    private Agent configured(String tenant, String uid) {
        return agents.findWithoutStats(tenant, uid).orElseThrow(NotFoundException::new);
    }

    public Agent update(String tenant, String uid, AgentChanges changes) {
        Agent current = get(tenant, uid);
        if (changes.has("callback_url")) {
            checkCallbackUrl(changes.callbackUrl());
        }
        if (changes.has("events")) {
            // The official SDK sends the whole list back: the types the agent has stored pass again.
            catalog.checkSubscriptions(changes.events(), current.events());
        }
        Agent updated = current.edited(
                changes.has("name") ? changes.name() : current.name(),
                changes.has("description") ? changes.description() : current.description(),
                changes.has("events") ? changes.events() : current.events(),
                changes.has("callback_url") ? changes.callbackUrl() : current.callbackUrl(),
                changes.has("is_active") ? changes.active() : current.active(),
                changes.has("project") ? changes.project() : current.project(),
                changes.has("task_types") ? changes.taskTypes() : current.taskTypes(),
                laterThan(current.updatedAt()));
        agents.update(current, updated);
        return updated;
    }

    public void delete(String tenant, String uid) {
        agents.delete(configured(tenant, uid));
    }

    /**
     * Gives the agent a new signing secret. For {@code overlap} callbacks carry signatures by both the new and
     * the previous secret, so that receivers can switch to the new one without refusing a callback.
     */
    public RotatedSecret rotateSecret(String tenant, String uid, SecretRotation rotation) {
        Agent current = configured(tenant, uid);
        Instant now = laterThan(current.updatedAt());
        Agent rotated = current.rotated(CallbackSigner.newSecret(), now.plus(rotation.overlap()), now);
        agents.rotateSecret(current, rotated);
        return new RotatedSecret(
                rotated.secret(),
                rotated.previousSecret() == null
                        ? null
                        : rotated.previousSecret().expiresAt());
    }

    /**
     * Records a pull-mode agent's decision: a pending execution of the caller's becomes {@code success}
     * with the action. The same decision again answers the same execution; a different one on a
     * completed execution is a conflict.
     */
    public Execution decide(String tenant, AgentAction decision) {
        for (int tries = 0; tries < 3; tries++) {
            Execution current = executions
                    .findPullModeByUid(decision.execution())
                    .filter(execution -> execution.tenant().equals(tenant))
                    .orElseThrow(NotFoundException::new);
            if (current.status() == ExecutionStatus.SUCCESS && decision.decision() == current.action()) {
                return current;
            }
            // Pending, or claimed by a poll (running): the first decision wins, whichever poll claimed it last.
            if (current.status() != ExecutionStatus.PENDING && current.status() != ExecutionStatus.RUNNING) {
                throw new ConflictException(
                        current.action() != null
                                ? "Execution was already completed with action \""
                                        + current.action().wire() + "\"."
                                : "Execution is not awaiting a decision (status "
                                        + current.status().wire() + ").");
            }
            Execution decided = current.decided(decision.decision(), decision.reason(), laterThan(current.updatedAt()));
            if (executions.finish(current, decided)) {
                return decided;
            }
        }
        throw new ConflictException("The execution was changed by another request; please retry.");
    }

    private void checkCallbackUrl(String url) {
        if (url == null) {
            return;
        }
        try {
            urls.checkRegistration(url);
        } catch (UnsafeUrlException e) {
            FieldErrors errors = new FieldErrors("agent");
            errors.add("callback_url", e.getMessage());
            errors.throwIfAny();
        }
    }

    private Instant laterThan(Instant previous) {
        return Timestamps.nowAfter(clock, previous);
    }
}
