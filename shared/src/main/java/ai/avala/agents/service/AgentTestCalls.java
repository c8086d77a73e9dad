package ai.avala.agents.service;

import ai.avala.agents.callback.CallbackOutcome;
import ai.avala.agents.callback.CallbackSender;
import ai.avala.agents.catalog.EventCatalog;
import ai.avala.agents.catalog.EventType;
import ai.avala.agents.errors.ConflictException;
import ai.avala.agents.errors.InvalidInputException;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The test operation: a real, signed callback to an agent's receiver, recorded as an execution. */
public final class AgentTestCalls {

    private final AgentStore agents;
    private final ExecutionLog executions;
    private final CallbackSender callbacks;
    private final EventCatalog catalog;
    private final Clock clock;

    public AgentTestCalls(
            AgentStore agents, ExecutionLog executions, CallbackSender callbacks, EventCatalog catalog, Clock clock) {
        this.catalog = catalog;
        this.agents = agents;
        this.executions = executions;
        this.callbacks = callbacks;
        this.clock = clock;
    }

    /**
     * Sends a test callback and records it; reads the agent alone (one GetItem, no statistics). The callback is an
     * event of {@code eventType} (null: the first catalog type the agent's subscriptions match) with the catalog's
     * example as its {@code data}, marked {@code "test": true}; an agent that matches no catalog type gets the
     * {@code agent.test} call.
     */
    public TestResult test(String tenant, String uid, String eventType) {
        Agent agent = agents.findWithoutStats(tenant, uid).orElseThrow(NotFoundException::new);
        if (agent.pullMode()) {
            throw new ConflictException("This agent has no callback_url (pull mode); there is nothing to test.");
        }
        Optional<EventType> type = eventType == null ? firstMatched(agent) : Optional.of(matched(agent, eventType));
        String executionUid = Ids.executionUid();
        Instant started = Timestamps.now(clock);
        Map<String, Object> payload = new LinkedHashMap<>();
        if (type.isPresent()) {
            payload.putAll(type.get().example().toMap());
        } else {
            payload.put("test", true);
            payload.put("message", "This is a test event from Avala.");
            payload.put("agent_name", agent.name());
        }
        String sentType = type.map(EventType::name).orElse(Execution.TEST_EVENT_TYPE);
        CallbackOutcome outcome = callbacks.sendTest(
                agent.callbackUrl(), agent.signingSecrets(started), executionUid, sentType, agent.uid(), payload);
        Instant finished = Timestamps.nowAfter(clock, started);
        Attempt attempt = new Attempt(
                1, started, finished.toEpochMilli() - started.toEpochMilli(), outcome.statusCode(), outcome.error());
        boolean succeeded = outcome instanceof CallbackOutcome.Succeeded;
        Execution execution = Execution.tested(
                executionUid,
                agent.uid(),
                tenant,
                sentType,
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

    private Optional<EventType> firstMatched(Agent agent) {
        return catalog.names().stream()
                .filter(name -> agent.events().stream().anyMatch(pattern -> EventCatalog.matches(pattern, name)))
                .findFirst()
                .flatMap(catalog::type);
    }

    private EventType matched(Agent agent, String eventType) {
        EventType type = catalog.type(eventType)
                .orElseThrow(() -> new InvalidInputException(
                        "\"" + eventType + "\" is not a known event type"
                                + catalog.closest(eventType)
                                        .map(known -> "; did you mean \"" + known + "\"?")
                                        .orElse("; GET /event-types/ lists them."),
                        Map.of("event_type", List.of("Not a known event type."))));
        if (agent.events().stream().noneMatch(pattern -> EventCatalog.matches(pattern, eventType))) {
            throw new InvalidInputException(
                    "This agent does not subscribe to \"" + eventType + "\"; test one of the types it matches.",
                    Map.of("event_type", List.of("Not a type this agent subscribes to.")));
        }
        return type;
    }
}
