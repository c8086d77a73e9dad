package ai.avala.agents.service;

import ai.avala.agents.errors.ConflictException;
import ai.avala.agents.errors.FieldErrors;
import ai.avala.agents.errors.InvalidInputException;
import ai.avala.agents.errors.NotFoundException;
import ai.avala.agents.api.PageRequest;
import ai.avala.agents.callback.CallbackSigner;
import ai.avala.agents.callback.CallbackSender;
import ai.avala.agents.callback.DeliveryOutcome;
import ai.avala.agents.callback.UnsafeUrlException;
import ai.avala.agents.callback.UrlGuard;
import ai.avala.agents.config.Environment;
import ai.avala.agents.config.SecretValues;
import ai.avala.agents.config.Wiring;
import ai.avala.agents.ids.Ids;
import ai.avala.agents.model.Agent;
import ai.avala.agents.model.Attempt;
import ai.avala.agents.model.Execution;
import ai.avala.agents.model.ExecutionStats;
import ai.avala.agents.model.ExecutionStatus;
import ai.avala.agents.model.Page;
import ai.avala.agents.model.Timestamps;
import ai.avala.agents.paging.CursorCodec;
import ai.avala.agents.store.AgentStore;
import ai.avala.agents.store.ExecutionLog;
import ai.avala.agents.store.KeyedPage;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The agents API's operations, each scoped to the caller's tenant. */
public final class AgentService {

    private static final String CURSOR_SECRET_ARN = "CURSOR_SECRET_ARN";
    private final AgentStore agents;
    private final ExecutionLog executions;
    private final CursorCodec cursors;
    private final UrlGuard urls;
    private final CallbackSender callbacks;
    private final Clock clock;
    private final int maxAgentsPerTenant;

    /** {@code callbacks} sends the test operation's callback; the functions that never call back pass none. */
    public AgentService(AgentStore agents, ExecutionLog executions, CursorCodec cursors, UrlGuard urls,
                        CallbackSender callbacks, Clock clock, int maxAgentsPerTenant) {
        this.agents = agents;
        this.executions = executions;
        this.cursors = cursors;
        this.urls = urls;
        this.callbacks = callbacks;
        this.clock = clock;
        this.maxAgentsPerTenant = maxAgentsPerTenant;
    }

    /** The service of a function that never calls back, with its clients, from its environment variables. */
    public static AgentService fromEnvironment(Environment env) {
        return fromEnvironment(env, null);
    }

    /** The service of the function that sends test callbacks through {@code callbacks}. */
    public static AgentService fromEnvironment(Environment env, CallbackSender callbacks) {
        Wiring wiring = new Wiring(env);
        return new AgentService(wiring.agents(), wiring.executions(), new CursorCodec(cursorSecret(env)),
                new UrlGuard(wiring.allowLocalCallbacks()), callbacks, wiring.clock(), wiring.maxAgentsPerTenant());
    }

    /** Only the functions that page (list agents, list executions) are given the cursor secret's ARN. */
    private static java.util.function.Supplier<String> cursorSecret(Environment env) {
        if (env.has(CURSOR_SECRET_ARN)) {
            return SecretValues.fromSecretsManager(env, CURSOR_SECRET_ARN);
        }
        return () -> {
            throw new IllegalStateException("Missing required environment variable " + CURSOR_SECRET_ARN);
        };
    }

    public Agent create(String tenant, AgentChanges fields) {
        checkCallbackUrl(fields.callbackUrl());
        Instant now = Timestamps.now(clock);
        Agent agent = Agent.created(tenant, Ids.agentUid(), fields.name(), fields.description(), fields.events(),
                fields.callbackUrl(), fields.active() == null || fields.active(), fields.project(), fields.taskTypes(),
                CallbackSigner.newSecret(), now);
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

    public Page<Agent> list(String tenant, PageRequest page) {
        String scope = "agents|" + tenant;
        return toPage(scope, agents.list(tenant, page.limit(), startKey(scope, page)));
    }

    public Agent update(String tenant, String uid, AgentChanges changes) {
        Agent current = get(tenant, uid);
        if (changes.has("callback_url")) {
            checkCallbackUrl(changes.callbackUrl());
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

    public Page<Execution> listExecutions(String tenant, String uid, String statusFilter, PageRequest page) {
        ExecutionStatus status = null;
        if (statusFilter != null) {
            status = ExecutionStatus.fromWire(statusFilter).orElseThrow(() -> new InvalidInputException(
                    "Invalid status: use pending, running, success or failed.",
                    Map.of("status", List.of("Must be one of pending, running, success, failed."))));
        }
        Agent agent = get(tenant, uid);
        String scope = "executions|" + tenant + "|" + agent.uid() + "|" + (status == null ? "" : status.wire());
        return toPage(scope, executions.list(agent.uid(), status, page.limit(), startKey(scope, page)));
    }

    /** Sends a real, signed {@code agent.test} callback and records it as an execution. */
    public TestResult test(String tenant, String uid) {
        Agent agent = configured(tenant, uid);
        if (agent.pullMode()) {
            throw new ConflictException("This agent has no callback_url (pull mode); there is nothing to test.");
        }
        String executionUid = Ids.executionUid();
        Instant started = Timestamps.now(clock);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("test", true);
        payload.put("message", "This is a test event from Avala.");
        payload.put("agent_name", agent.name());
        if (callbacks == null) {
            throw new IllegalStateException("This function was built without a callback client");
        }
        DeliveryOutcome outcome = callbacks.send(agent.callbackUrl(), agent.signingSecrets(started), executionUid,
                "agent.test", agent.uid(), payload);
        Instant finished = laterThan(started);
        Attempt attempt = new Attempt(1, started, finished.toEpochMilli() - started.toEpochMilli(), outcome.statusCode(),
                outcome.error());
        Execution execution = Execution.tested(executionUid, agent.uid(), tenant, payload, outcome.success(), outcome.action(),
                outcome.responseJson(), attempt, finished);
        executions.create(execution);
        String message = outcome.success()
                ? "Test callback delivered: HTTP " + outcome.statusCode() + "."
                : "Test callback failed: " + outcome.error();
        return new TestResult(outcome.delivered(), outcome.statusCode(), message, execution);
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
        return new RotatedSecret(rotated.secret(), rotated.previousSecret() == null ? null : rotated.previousSecret().expiresAt());
    }

    /**
     * Records a pull-mode agent's decision: a pending execution of the caller's becomes {@code success}
     * with the action. The same decision again answers the same execution; a different one on a
     * completed execution is a conflict.
     */
    public Execution decide(String tenant, AgentAction decision) {
        for (int tries = 0; tries < 3; tries++) {
            Execution current = executions.findPullModeByUid(decision.execution())
                    .filter(execution -> execution.tenant().equals(tenant))
                    .orElseThrow(NotFoundException::new);
            if (current.status() == ExecutionStatus.SUCCESS && decision.decision() == current.action()) {
                return current;
            }
            if (current.status() != ExecutionStatus.PENDING) {
                throw new ConflictException(current.action() != null
                        ? "Execution was already completed with action \"" + current.action().wire() + "\"."
                        : "Execution is not awaiting a decision (status " + current.status().wire() + ").");
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

    private Map<String, String> startKey(String scope, PageRequest page) {
        return page.cursor() == null ? null : cursors.decode(scope, page.cursor());
    }

    private <T> Page<T> toPage(String scope, KeyedPage<T> keyed) {
        return new Page<>(keyed.items(), keyed.lastKey() == null ? null : cursors.encode(scope, keyed.lastKey()));
    }

    /**
     * Now, or a millisecond after {@code previous} if the clock has not moved past it: an update's
     * {@code updated_at} always follows the one before it, even on a clock with coarse ticks.
     */
    private Instant laterThan(Instant previous) {
        Instant now = Timestamps.now(clock);
        return now.isAfter(previous) ? now : previous.plusMillis(1);
    }
}
