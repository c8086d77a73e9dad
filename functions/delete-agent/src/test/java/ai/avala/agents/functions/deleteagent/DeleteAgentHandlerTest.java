package ai.avala.agents.functions.deleteagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.avala.agents.errors.NotFoundException;
import ai.avala.agents.local.emulator.LocalAws;
import ai.avala.agents.service.AgentChanges;
import ai.avala.agents.service.AgentRegistration;
import ai.avala.agents.service.AgentService;
import ai.avala.agents.wiring.Wiring;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DeleteAgentHandlerTest {

    private static final Wiring WIRING = LocalAws.wiringFor("DeleteAgentFunction", Map.of());
    private final DeleteAgentHandler handler = new DeleteAgentHandler(WIRING);
    private final AgentService agents = WIRING.agentService();

    private static APIGatewayProxyRequestEvent sample(String tenant, String uid) {
        return LocalAws.apiEvent("delete-agent.json", tenant, uid);
    }

    @Test
    void handleRequest_shouldRemoveTheAgentAndItsSubscriptions() {
        String tenant = "tenant_" + UUID.randomUUID();
        var agent = agents.register(
                        tenant, AgentChanges.forCreate("{\"name\": \"Gone\", \"events\": [\"task.completed\"]}"))
                .agent();
        var subscriptions = WIRING.subscriptions();

        var response = LocalAws.invoke(handler, sample(tenant, agent.uid()));
        var again = LocalAws.invoke(handler, sample(tenant, agent.uid()));

        assertThat(response.getStatusCode()).isEqualTo(204);
        assertThat(response.getBody()).isNull();
        assertThat(again.getStatusCode()).isEqualTo(404);
        assertThatThrownBy(() -> agents.get(tenant, agent.uid())).isInstanceOf(NotFoundException.class);
        assertThat(subscriptions.agentsFor(tenant, "task.completed")).isEmpty();
    }

    @Test
    void handleRequest_shouldNotDeleteAnotherTenantsAgent() {
        String tenant = "tenant_" + UUID.randomUUID();
        var agent = agents.register(tenant, AgentChanges.forCreate("{\"name\": \"Kept\"}"))
                .agent();

        var response = LocalAws.invoke(handler, sample("tenant_" + UUID.randomUUID(), agent.uid()));

        assertThat(response.getStatusCode()).isEqualTo(404);
        assertThat(agents.get(tenant, agent.uid()).name()).isEqualTo("Kept");
    }

    @Test
    void deletingAPullModeAgent_shouldFreeItsName() {
        String tenant = "tenant_" + UUID.randomUUID();
        var agent = agents.register(tenant, AgentChanges.forCreate("{\"name\": \"Worker\"}"))
                .agent();

        var response = LocalAws.invoke(handler, sample(tenant, agent.uid()));
        var again = agents.register(tenant, AgentChanges.forCreate("{\"name\": \"Worker\"}"));

        assertThat(response.getStatusCode()).isEqualTo(204);
        assertThat(again).isInstanceOf(AgentRegistration.Created.class);
        assertThat(again.agent().uid()).isNotEqualTo(agent.uid());
    }
}
