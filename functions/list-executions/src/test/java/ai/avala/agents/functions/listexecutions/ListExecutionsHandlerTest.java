package ai.avala.agents.functions.listexecutions;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.ids.Ids;
import ai.avala.agents.json.Json;
import ai.avala.agents.local.emulator.LocalAws;
import ai.avala.agents.model.Execution;
import ai.avala.agents.model.ExecutionStatus;
import ai.avala.agents.service.AgentChanges;
import ai.avala.agents.service.AgentService;
import ai.avala.agents.store.ExecutionLog;
import ai.avala.agents.wiring.Wiring;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ListExecutionsHandlerTest {

    private static final Wiring WIRING = LocalAws.wiringFor("ListExecutionsFunction", Map.of());
    private final ListExecutionsHandler handler = new ListExecutionsHandler(WIRING);
    private final AgentService agents = WIRING.agentService();
    private final ExecutionLog log =
            new ExecutionLog(WIRING.dynamo(), WIRING.config().executionsTable().orElseThrow(), Duration.ofDays(1));

    private static APIGatewayProxyRequestEvent sample(String tenant, String uid, Map<String, String> query) {
        var event = LocalAws.apiEvent("list-executions.json", tenant, uid);
        event.setQueryStringParameters(query);
        return event;
    }

    private Execution record(String tenant, String agentUid, ExecutionStatus status) {
        Instant now = Instant.now();
        String uid = Ids.executionUid();
        var execution = new Execution(
                uid,
                agentUid,
                tenant,
                "evt_" + uid,
                "task.completed",
                "task_1",
                null,
                status,
                null,
                Map.of("task_uid", "task_1"),
                null,
                null,
                1,
                now,
                now,
                now,
                now,
                List.of(),
                null);
        log.create(execution);
        return execution;
    }

    @Test
    void handleRequest_shouldFilterByStatusAndListNewestFirst() {
        String tenant = "tenant_" + UUID.randomUUID();
        var agent = agents.create(tenant, AgentChanges.forCreate("{\"name\": \"Worker\"}"));
        var olderPending = record(tenant, agent.uid(), ExecutionStatus.PENDING);
        var success = record(tenant, agent.uid(), ExecutionStatus.SUCCESS);
        var newerPending = record(tenant, agent.uid(), ExecutionStatus.PENDING);
        var failed = record(tenant, agent.uid(), ExecutionStatus.FAILED);

        var pending = Json.parse(LocalAws.invoke(handler, sample(tenant, agent.uid(), Map.of("status", "pending")))
                .getBody());
        var succeeded = Json.parse(LocalAws.invoke(handler, sample(tenant, agent.uid(), Map.of("status", "success")))
                .getBody());
        var onePage = Json.parse(
                LocalAws.invoke(handler, sample(tenant, agent.uid(), Map.of("status", "success", "limit", "1")))
                        .getBody());
        var all = Json.parse(
                LocalAws.invoke(handler, sample(tenant, agent.uid(), Map.of())).getBody());

        assertThat(pending.get("results")).hasSize(2);
        assertThat(pending.get("results").get(0).get("uid").asText()).isEqualTo(newerPending.uid());
        assertThat(pending.get("results").get(1).get("uid").asText()).isEqualTo(olderPending.uid());
        assertThat(pending.get("results").get(0).get("registration").asText()).isEqualTo(agent.uid());
        assertThat(succeeded.get("results"))
                .extracting(e -> e.get("uid").asText())
                .containsExactly(success.uid());
        assertThat(onePage.get("results"))
                .extracting(e -> e.get("uid").asText())
                .containsExactly(success.uid());
        assertThat(onePage.get("next").isNull())
                .as("a filtered page reads on past the items it skips")
                .isTrue();
        assertThat(all.get("results"))
                .extracting(e -> e.get("uid").asText())
                .containsExactly(failed.uid(), newerPending.uid(), success.uid(), olderPending.uid());
    }

    @Test
    void handleRequest_shouldAnswer400ForAnUnknownStatusAnd404ForAForeignAgent() {
        String tenant = "tenant_" + UUID.randomUUID();
        var agent = agents.create(tenant, AgentChanges.forCreate("{\"name\": \"Worker\"}"));

        var badStatus = LocalAws.invoke(handler, sample(tenant, agent.uid(), Map.of("status", "done")));
        var foreign = LocalAws.invoke(handler, sample("tenant_" + UUID.randomUUID(), agent.uid(), Map.of()));

        assertThat(badStatus.getStatusCode()).isEqualTo(400);
        assertThat(Json.parse(badStatus.getBody()).get("errors").has("status")).isTrue();
        assertThat(foreign.getStatusCode()).isEqualTo(404);
    }
}
