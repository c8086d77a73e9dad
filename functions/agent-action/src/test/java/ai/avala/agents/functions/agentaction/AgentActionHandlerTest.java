package ai.avala.agents.functions.agentaction;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.ids.Ids;
import ai.avala.agents.json.Json;
import ai.avala.agents.local.emulator.LocalAws;
import ai.avala.agents.model.AgentDecision;
import ai.avala.agents.model.Execution;
import ai.avala.agents.model.ExecutionStatus;
import ai.avala.agents.service.AgentChanges;
import ai.avala.agents.service.AgentService;
import ai.avala.agents.store.ExecutionLog;
import ai.avala.agents.wiring.Wiring;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AgentActionHandlerTest {

    private static final Wiring WIRING = LocalAws.wiringFor("AgentActionFunction", Map.of());
    private final AgentActionHandler handler = new AgentActionHandler(WIRING);
    private final AgentService agents = WIRING.agentService();
    private final ExecutionLog log =
            new ExecutionLog(WIRING.dynamo(), WIRING.config().executionsTable().orElseThrow(), Duration.ofDays(1));

    private Execution pending(String tenant) {
        var agent = agents.register(
                        tenant, AgentChanges.forCreate("{\"name\": \"puller\", \"events\": [\"task.completed\"]}"))
                .agent();
        Instant now = Instant.now();
        String uid = Ids.executionUid();
        var execution = new Execution(
                uid,
                agent.uid(),
                tenant,
                "evt_" + uid,
                "task.completed",
                "task_1",
                null,
                ExecutionStatus.PENDING,
                null,
                Map.of("task_uid", "task_1"),
                null,
                null,
                0,
                null,
                null,
                now,
                now,
                List.of(),
                null);
        log.create(execution);
        return execution;
    }

    private static APIGatewayProxyRequestEvent sample(String tenant, String execution, String action) {
        var event = EventLoader.loadApiGatewayRestEvent(LocalAws.eventFile("agent-action.json"));
        event.getRequestContext().getAuthorizer().put("tenant", tenant);
        var body = new java.util.LinkedHashMap<>(Json.parse(event.getBody()).toMap());
        body.put("execution", execution);
        body.put("action", action);
        event.setBody(Json.write(body));
        return event;
    }

    @Test
    void handleRequest_shouldCompleteAPendingExecutionOnceAndRefuseAConflictingDecision() {
        String tenant = "tenant_" + UUID.randomUUID();
        Execution execution = pending(tenant);

        var decided = LocalAws.invoke(handler, sample(tenant, execution.uid(), "approve"));
        var repeated = LocalAws.invoke(handler, sample(tenant, execution.uid(), "approve"));
        var conflicting = LocalAws.invoke(handler, sample(tenant, execution.uid(), "reject"));

        assertThat(decided.getStatusCode()).isEqualTo(200);
        var body = Json.parse(decided.getBody());
        assertThat(body.get("status").asText()).isEqualTo("success");
        assertThat(body.get("action").asText()).isEqualTo("approve");
        assertThat(body.get("response_payload").get("reason").asText()).isEqualTo("Looks correct");
        assertThat(repeated.getStatusCode()).isEqualTo(200);
        assertThat(conflicting.getStatusCode()).isEqualTo(409);
        assertThat(log.find(execution.agentUid(), execution.uid())).hasValueSatisfying(stored -> {
            assertThat(stored.status()).isEqualTo(ExecutionStatus.SUCCESS);
            assertThat(stored.action()).isEqualTo(AgentDecision.APPROVE);
        });
    }

    @Test
    void handleRequest_shouldAnswer404ForAnotherTenantsExecutionAnd400ForAnUnknownAction() {
        String tenant = "tenant_" + UUID.randomUUID();
        Execution execution = pending(tenant);

        var foreign = LocalAws.invoke(handler, sample("tenant_" + UUID.randomUUID(), execution.uid(), "approve"));
        var unknown = LocalAws.invoke(handler, sample(tenant, execution.uid(), "escalate"));
        var missing =
                LocalAws.invoke(handler, EventLoader.loadApiGatewayRestEvent(LocalAws.eventFile("agent-action.json")));

        assertThat(foreign.getStatusCode()).isEqualTo(404);
        assertThat(unknown.getStatusCode()).isEqualTo(400);
        assertThat(Json.parse(unknown.getBody()).get("errors").has("action")).isTrue();
        assertThat(missing.getStatusCode()).isEqualTo(404);
        assertThat(log.find(execution.agentUid(), execution.uid()).orElseThrow().status())
                .isEqualTo(ExecutionStatus.PENDING);
    }
}
