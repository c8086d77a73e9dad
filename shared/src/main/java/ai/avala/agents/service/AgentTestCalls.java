package ai.avala.agents.service;

import ai.avala.agents.callback.CallbackOutcome;
import ai.avala.agents.callback.CallbackSender;
import ai.avala.agents.errors.ConflictException;
import ai.avala.agents.errors.NotFoundException;
import ai.avala.agents.ids.Ids;
import ai.avala.agents.json.Timestamps;
import ai.avala.agents.model.Agent;
import ai.avala.agents.model.Attempt;
import ai.avala.agents.model.Execution;
import ai.avala.agents.store.AgentStore;
import ai.avala.agents.store.ExecutionLog;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The test operation: a real, signed callback to an agent's receiver, recorded as an execution. */
public final class AgentTestCalls {

    private final AgentStore agents;
    private final ExecutionLog executions;
    private final CallbackSender callbacks;
    private final Clock clock;

    public AgentTestCalls(AgentStore agents, ExecutionLog executions, CallbackSender callbacks, Clock clock) {
        this.agents = agents;
        this.executions = executions;
        this.callbacks = callbacks;
        this.clock = clock;
    }

    /** Sends an {@code agent.test} callback and records it; reads the agent alone (one GetItem, no statistics). */
    public TestResult test(String tenant, String uid) {
        Agent agent = agents.findWithoutStats(tenant, uid).orElseThrow(NotFoundException::new);
        if (agent.pullMode()) {
            throw new ConflictException("This agent has no callback_url (pull mode); there is nothing to test.");
        }
        String executionUid = Ids.executionUid();
        Instant started = Timestamps.now(clock);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("test", true);
        payload.put("message", "This is a test event from Avala.");
        payload.put("agent_name", agent.name());
        CallbackOutcome outcome = callbacks.send(
                agent.callbackUrl(), agent.signingSecrets(started), executionUid, "agent.test", agent.uid(), payload);
        Instant finished = Timestamps.nowAfter(clock, started);
        Attempt attempt = new Attempt(
                1, started, finished.toEpochMilli() - started.toEpochMilli(), outcome.statusCode(), outcome.error());
        boolean succeeded = outcome instanceof CallbackOutcome.Succeeded;
        Execution execution = Execution.tested(
                executionUid,
                agent.uid(),
                tenant,
                payload,
                succeeded,
                outcome.action(),
                outcome.responseJson(),
                attempt,
                finished);
        executions.create(execution);
        String message = succeeded
                ? "Test callback delivered: HTTP " + outcome.statusCode() + "."
                : "Test callback failed: " + outcome.error();
        return new TestResult(outcome.statusCode() != null, outcome.statusCode(), message, execution);
    }
}
